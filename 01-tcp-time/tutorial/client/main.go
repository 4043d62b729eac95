// Command client is the tutorial's time client, translated line for line:
// the listing under "TCP sockets" that connects, receives once (at most
// 1024 bytes), prints what came and closes. One Read is not the whole
// reply: TCP may deliver it in pieces, and this client prints only the
// first. It has no timeout, and ends at the first error.
//
// Changed so that it runs here: it connects to 127.0.0.1:6789, or to the
// address given as its one argument, instead of the author's
// 192.168.1.2.
//
//	go run ./01-tcp-time/server
//	go run ./01-tcp-time/tutorial/client
//
// The full program is ../client: the chapter's README walks from this one
// to it.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"os"
)

func main() {
	addr := "127.0.0.1:6789"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	// 1. and 2. in one call: net.Dial creates a TCP socket and connects
	// it to the server's IP address and port.
	client, err := net.Dial("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	// 3. Receive data from the server: one Read, of at most 1024 bytes.
	data := make([]byte, 1024)
	n, err := client.Read(data)
	if err != nil && err != io.EOF { // at EOF, Python's recv returns b''
		log.Fatal(err)
	}
	fmt.Println(string(data[:n]))
	client.Close()
}
