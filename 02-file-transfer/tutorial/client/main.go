// Command client is the tutorial's file client, translated line for line:
// the listing under "TCP sockets" that reads the server's JSON until the
// connection ends, decodes the base64 and writes the picture under the
// name the server sent. It has no timeouts and no size limit, writes
// wherever that name points, replaces a file of the same name, leaves
// half a file if writing fails, and ends at the first error.
//
// Changed so that it runs here: it connects to 127.0.0.1:5566, or to the
// address given as its first argument, instead of the author's
// 192.168.1.2, and writes into the current folder, or into the folder
// given as its second argument, instead of /Users/Hao/.
//
//	go run ./02-file-transfer/server
//	go run ./02-file-transfer/tutorial/client
//
// The full program is ../client: the chapter's README walks from this one
// to it.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
)

func main() {
	addr, out := "127.0.0.1:5566", "."
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	if len(os.Args) > 2 {
		out = os.Args[2]
	}
	client, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	// The bytes received so far.
	var inData []byte
	// Not knowing how much the server sends, read 1024 bytes at a time
	// until the server closes the connection: Read then returns io.EOF,
	// where Python's recv returns b''.
	data := make([]byte, 1024)
	for {
		n, err := client.Read(data)
		inData = append(inData, data[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	// Decode the JSON text into a map, as Python's loads makes a dict.
	myDict := map[string]string{}
	if err := json.Unmarshal(inData, &myDict); err != nil {
		log.Fatal(err)
	}
	filename := myDict["filename"]
	filedata, err := base64.StdEncoding.DecodeString(myDict["filedata"])
	if err != nil {
		log.Fatal(err)
	}
	// Write the decoded bytes to the file.
	err = os.WriteFile(filepath.Join(out, filename), filedata, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("The picture has been saved.")
}
