package main

import "net"

// What -v prints of the conversation with each client, each line starting
// with the client's address: what the server sent ("S:"), what a UDP
// client's datagram held ("C:", although the server ignores it), and
// that the server closed the connection. A TCP client says nothing: its
// connecting is the question.

// showSent prints, with -v, the time sent to a TCP client, and that the
// server closed the connection after it.
func showSent(w *wire, to net.Addr, sent string) {
	if w == nil {
		return // not even to.String(): this runs for every client
	}
	w = w.peer(to.String())
	if sent != "" {
		w.line("S:", sent)
	}
	w.note("the server closed the connection after %d bytes", len(sent))
}

// showDatagram prints, with -v, the datagram that came from a UDP client
// and the one sent back (sent is "" if sending failed).
func showDatagram(w *wire, from net.Addr, got []byte, sent string) {
	if w == nil {
		return // not even from.String(): this runs for every datagram
	}
	w = w.peer(from.String())
	w.note("received a datagram of %d bytes", len(got))
	if len(got) > 0 {
		w.line("C:", string(got))
	}
	if sent == "" {
		w.note("sent nothing back")
		return
	}
	w.note("sent a datagram of %d bytes", len(sent))
	w.line("S:", sent)
}
