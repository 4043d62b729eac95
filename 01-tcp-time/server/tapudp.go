package main

import (
	"log"
	"net"
)

// tapPacketConn is, for -v, a UDP socket that prints each datagram it
// reads and writes as tap.go prints what crosses a TCP connection: after
// the client's address, "C:" the client's, "S:" the server's.
type tapPacketConn struct {
	net.PacketConn
	log *log.Logger
}

func (c tapPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, from, err := c.PacketConn.ReadFrom(p)
	if err == nil {
		c.log.Printf("%s C: %.200q", from, p[:n])
	}
	return n, from, err
}

func (c tapPacketConn) WriteTo(p []byte, to net.Addr) (int, error) {
	n, err := c.PacketConn.WriteTo(p, to)
	if err == nil {
		c.log.Printf("%s S: %.200q", to, p[:n])
	}
	return n, err
}
