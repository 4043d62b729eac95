// Command hello is a tiny server for the tests of BuildAndRun: it listens,
// says so, greets on stdout with its argument and the variable GREETING,
// and waits to be killed.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "listening on %s\n", ln.Addr())
	fmt.Printf("%s %s\n", os.Getenv("GREETING"), os.Args[1])
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		_ = conn.Close()
	}
}
