package main

import "net"

// What -v prints of the conversation, beyond the lines that showConnection
// prints as they are read: who the two ends are, and who hung up. A time
// server's whole side of the conversation is one line, and the client
// says nothing at all: connecting is its question.

// showConnection prints, with -v, the two ends of conn, and returns conn
// wrapped so that each line read from it is printed, marked "S:" (the
// client writes nothing).
func showConnection(w *wire, conn net.Conn) net.Conn {
	w.note("connected to %s from %s", conn.RemoteAddr(), conn.LocalAddr())
	return w.conn(conn, "S:", "C:", nil)
}

// showClose prints, with -v, who closed the connection, after how many
// bytes had come.
func showClose(w *wire, byServer bool, n int) {
	who := "the client"
	if byServer {
		who = "the server"
	}
	w.note("%s closed the connection after %d bytes", who, n)
}

// showDatagram prints, with -v, the datagram that came back over UDP.
func showDatagram(w *wire, got []byte, from net.Addr) {
	w.note("received a datagram of %d bytes from %s", len(got), from)
	if len(got) > 0 {
		w.line("S:", string(got))
	}
}
