// This file is the same in every program whose -v shows what crosses its
// TCP connections: 01-tcp-time/client, 01-tcp-time/server,
// 02-file-transfer/client, 02-file-transfer/server, 04-email/client and
// 04-email/server. A test keeps the copies identical.
//
// A program taps the conn it dialed, the listener it accepts on, or a
// conn after its TLS handshake (to show the text inside). The code that
// talks cannot tell. Where only that code knows a secret's place (a
// password, a file's data), it says so through an interface it declares
// itself, and builds without this file:
//
//	func hide(conn net.Conn, on bool) {
//		if h, ok := conn.(interface{ Hide(bool) }); ok {
//			h.Hide(on)
//		}
//	}

package main

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"sync"
)

// tapConn is a net.Conn that prints what crosses it, marked with who sent
// it, "C:" the client or "S:" the server, in Go's quoted form: at most 200
// characters, and the count when there were more. Lines marked "*" are
// about the connection itself. A Write shows at once; what was read shows
// when this side next writes, hides or closes, by when the program may
// have found a secret in it (an AUTH line): Hide(true) hides that too.
// Each line is one call of log, so the lines of several conns never mix.
type tapConn struct {
	net.Conn
	log     *log.Logger
	prefix  string // on a server, the client's address and a space
	in, out string // who sent what Read and Write pass: "S:" or "C:"

	mu      sync.Mutex     // Read, Write, Hide and Close may run at once
	read    []byte         // what was read and not shown yet: its start,
	unshown int            // and its length
	hiding  bool           // between Hide(true) and Hide(false)
	hidden  map[string]int // bytes hidden, by who sent them
	sent    map[string]int // bytes each way
	eof     bool           // a Read met the end: the other side closed
	closed  bool           // Close has printed its line
}

// tapClient returns a client's conn, printing to log what crosses it.
func tapClient(conn net.Conn, log *log.Logger) net.Conn {
	return tap(&tapConn{Conn: conn, log: log, in: "S:", out: "C:"})
}

// tapServer returns a server's conn, printing to log what crosses it,
// each line after the client's address.
func tapServer(conn net.Conn, log *log.Logger) net.Conn {
	return tap(&tapConn{Conn: conn, log: log, in: "C:", out: "S:",
		prefix: conn.RemoteAddr().String() + " "})
}

// tap prints what TLS settled on, if c is a *tls.Conn, else the two ends.
func tap(c *tapConn) *tapConn {
	c.hidden, c.sent = map[string]int{}, map[string]int{}
	server, client := c.RemoteAddr(), c.LocalAddr()
	if c.in == "C:" {
		server, client = client, server
	}
	if t, ok := c.Conn.(*tls.Conn); ok {
		s := t.ConnectionState()
		c.log.Printf("%s* %s, %s", c.prefix, tls.VersionName(s.Version),
			tls.CipherSuiteName(s.CipherSuite))
	} else {
		c.log.Printf("%s* connected to %s from %s", c.prefix, server, client)
	}
	return c
}

// tapListener returns ln, whose conns are tapped with tapServer.
func tapListener(ln net.Listener, log *log.Logger) net.Listener {
	return tapLn{ln, log}
}

type tapLn struct {
	net.Listener
	log *log.Logger
}

func (l tapLn) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return tapServer(conn, l.log), nil
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[c.in] += n
	c.eof = c.eof || errors.Is(err, io.EOF)
	if c.hiding {
		c.hidden[c.in] += n
		return n, err
	}
	c.read = append(c.read, p[:min(n, 800-len(c.read))]...) // 200 characters
	c.unshown += n
	return n, err
}

func (c *tapConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[c.out] += n
	c.flush()
	if c.hiding {
		c.hidden[c.out] += n
	} else if n > 0 || err == nil { // an empty UDP datagram shows too
		c.show(c.out, p[:n], n)
	}
	return n, err
}

// show prints n bytes that who sent, b being their start.
func (c *tapConn) show(who string, b []byte, n int) {
	if n <= 200 {
		c.log.Printf("%s%s %q", c.prefix, who, b)
	} else {
		c.log.Printf("%s%s %.200q (%d bytes)", c.prefix, who, b, n)
	}
}

// flush shows what was read and not shown yet.
func (c *tapConn) flush() {
	if c.unshown > 0 {
		c.show(c.in, c.read, c.unshown)
	}
	c.read, c.unshown = c.read[:0], 0
}

// Hide(true) hides what crosses from now on, and what was read and not
// shown yet; Hide(false) prints how much was hidden: C: <12 bytes hidden>.
func (c *tapConn) Hide(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if on {
		c.hidden[c.in] += c.unshown
		c.read, c.unshown = c.read[:0], 0
	} else {
		c.unhide()
	}
	c.hiding = on
}

func (c *tapConn) unhide() {
	for _, who := range []string{"C:", "S:"} {
		if c.hidden[who] > 0 {
			c.log.Printf("%s%s <%d bytes hidden>", c.prefix, who, c.hidden[who])
		}
	}
	clear(c.hidden)
}

// Close prints, once, what is left, and who closed the connection.
func (c *tapConn) Close() error {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		c.flush()
		c.unhide()
		who := c.out // this side, unless a Read met the other side's end
		if c.eof {
			who = c.in
		}
		name := map[string]string{"C:": "the client", "S:": "the server"}[who]
		c.log.Printf("%s* %s closed the connection (C: %d bytes, S: %d bytes)",
			c.prefix, name, c.sent["C:"], c.sent["S:"])
	}
	c.mu.Unlock()
	return c.Conn.Close()
}
