// Command server is the tutorial's first time server, translated line for
// line: the listing under "TCP sockets" that sends str(datetime.now()) to
// each client and closes the connection. It serves one client at a time,
// sends the time with no line end, and ends at the first error.
//
// Changed so that it runs here: it listens on 127.0.0.1:6789, or on the
// address given as its one argument (tests use 127.0.0.1:0), instead of
// the author's 192.168.1.2; and it says where it listens through log, on
// stderr, naming the address, so that tests can find the port.
//
//	go run ./01-tcp-time/tutorial/server
//	go run ./01-tcp-time/tutorial/client
//
// The full program is ../server: the chapter's README walks from this one
// to it.
package main

import (
	"fmt"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	addr := "127.0.0.1:6789"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	// 1. to 3. in one call: net.Listen creates the socket (TCP over
	// IPv4, as the address says), binds it to the address and port, and
	// starts listening. Go picks the size of the connection queue itself
	// (the tutorial asks for 512).
	server, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("The server starts listening on %s", server.Addr())
	for {
		// 4. Accept blocks until a client connects, and returns the
		// connection; its RemoteAddr is the client's IP and port.
		client, err := server.Accept()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(client.RemoteAddr().String() + " Connected to the server.")
		// 5. Send the time as Python's str(datetime.now()) writes it
		// (but for one case: Python leaves out a .000000).
		now := time.Now().Format("2006-01-02 15:04:05.000000")
		if _, err := client.Write([]byte(now)); err != nil {
			log.Fatal(err)
		}
		// 6. Disconnect.
		client.Close()
	}
}
