// Command server is the tutorial's file server, translated line for line:
// the listing under "TCP sockets" that serves each client in a thread of
// its own (here a goroutine), sending a picture as base64 in a JSON
// object, in one send, then closing the connection. It has no timeouts
// and holds the whole encoded file in memory; an error ends the program,
// or, in a client's goroutine, that goroutine.
//
// Changed so that it runs here: it listens on 127.0.0.1:5566, or on the
// address given as its one argument (tests use 127.0.0.1:0), instead of
// the author's 192.168.1.2, and says where through log, on stderr. The
// tutorial reads guido.jpg from the folder it runs in; this program
// carries its picture with it (go:embed builds sample.png, the picture
// the full server sends, into the program), so it runs from any folder.
//
//	go run ./02-file-transfer/tutorial/server
//	go run ./02-file-transfer/tutorial/client
//
// The full program is ../server: the chapter's README walks from this one
// to it.
package main

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"log"
	"net"
	"os"
)

//go:embed sample.png
var folder embed.FS

func main() {
	addr := "127.0.0.1:5566"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	var data string // the picture in base64, read below

	// The tutorial's thread class becomes a function, which main starts
	// in a goroutine of its own for each client.
	fileTransferHandler := func(cclient net.Conn) {
		myDict := map[string]string{}
		myDict["filename"] = "sample.png"
		// JSON is plain text and cannot carry bytes, so the picture
		// goes as base64 text.
		myDict["filedata"] = data
		// json.Marshal writes a map's keys in sorted order: filedata
		// comes first. The order of a JSON object means nothing.
		jsonStr, _ := json.Marshal(myDict) // strings always marshal
		// Write sends all of it: it is Python's sendall. The tutorial's
		// send may send only the first part of a large file.
		if _, err := cclient.Write(jsonStr); err != nil {
			// As an exception in a Python thread, this ends the
			// goroutine only.
			log.Print(err)
		}
		cclient.Close()
	}

	// 1. to 3.: create the socket, bind it and listen.
	server, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("The server starts listening on %s", server.Addr())
	f, err := folder.ReadFile("sample.png")
	if err != nil {
		log.Fatal(err)
	}
	// Encode the bytes as base64 text, once, for every client.
	data = base64.StdEncoding.EncodeToString(f)
	for {
		client, err := server.Accept()
		if err != nil {
			log.Fatal(err)
		}
		// Start a goroutine to handle the client.
		go fileTransferHandler(client)
	}
}
