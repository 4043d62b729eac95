// This file is the same in 01-tcp-time/client, 01-tcp-time/server,
// 02-file-transfer/client, 02-file-transfer/server, 04-email/client and
// 04-email/server; a test keeps the copies identical.
//
// A program taps the conn it dialed, the listener it accepts on, or a
// conn after its TLS handshake; the code that talks cannot tell. Where
// only that code knows a secret's place (a password, a file's data), it
// says so through an interface it declares itself:
//
//	func hide(conn net.Conn, on bool) {
//		if h, ok := conn.(interface{ Hide(bool) }); ok {
//			h.Hide(on)
//		}
//	}
//
// To show what was read before a hidden write (the reply it answers),
// the code calls Flush the same way, before Hide(true).

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
// characters, and the count when there were more; "*" marks lines about
// the connection. A Write shows at once; what was read shows at the next
// Write, Flush or Close, by when the program may have found a secret in
// it (an AUTH line), which Hide(true) hides too. Each line is one call of
// log: conns never mix lines.
type tapConn struct {
	net.Conn
	log     *log.Logger
	prefix  string // on a server, the client's address and a space
	in, out string // who sent what Read and Write pass: "S:" or "C:"

	mu           sync.Mutex     // Read, Write, Hide and Close may run at once
	read         []byte         // the start of what was read and not shown,
	unshown      int            // and its length
	hiding       bool           // between Hide(true) and Hide(false)
	hidden, sent map[string]int // bytes hidden, and bytes in all, by sender
	eof, closed  bool           // a Read met the other side's end; Close ran
}

// tapClient returns a client's conn, printing to log what crosses it.
func tapClient(conn net.Conn, log *log.Logger) net.Conn {
	c := &tapConn{Conn: conn, log: log, in: "S:", out: "C:"}
	return c.tap(conn.RemoteAddr(), conn.LocalAddr())
}

// tapServer returns a server's conn, printing to log what crosses it,
// each line after the client's address.
func tapServer(conn net.Conn, log *log.Logger) net.Conn {
	c := &tapConn{Conn: conn, log: log, in: "C:", out: "S:",
		prefix: conn.RemoteAddr().String() + " "}
	return c.tap(conn.LocalAddr(), conn.RemoteAddr())
}

// tap prints what TLS settled on, if c is a *tls.Conn, else the two ends.
func (c *tapConn) tap(server, client net.Addr) net.Conn {
	c.hidden, c.sent = map[string]int{}, map[string]int{}
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
	} else {
		c.read = append(c.read, p[:min(n, 800-len(c.read))]...) // 200 runes
		c.unshown += n
	}
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

// Hide(true) hides what crosses from now on, and what was read and not
// shown yet; Hide(false) prints how much was hidden: C: <12 bytes hidden>.
func (c *tapConn) Hide(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if on {
		c.hidden[c.in] += c.unshown
		c.unshown = 0
	}
	c.hiding = on
	c.flush()
}

// Flush shows at once what was read and not shown yet.
func (c *tapConn) Flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flush()
}

// flush shows what was read, then, unless hiding, how much was hidden.
func (c *tapConn) flush() {
	if c.unshown > 0 {
		c.show(c.in, c.read, c.unshown)
	}
	c.read, c.unshown = c.read[:0], 0
	for _, who := range []string{"C:", "S:"} {
		if c.hidden[who] > 0 && !c.hiding {
			c.log.Printf("%s%s <%d bytes hidden>", c.prefix, who, c.hidden[who])
			c.hidden[who] = 0
		}
	}
}

// Close prints, once, what is left and who closed the connection: this
// side, unless a Read met the other side's end.
func (c *tapConn) Close() error {
	c.mu.Lock()
	if !c.closed {
		c.closed, c.hiding = true, false
		c.flush()
		who := map[string]string{"C:": "client", "S:": "server"}
		closer := who[c.out]
		if c.eof {
			closer = who[c.in]
		}
		c.log.Printf("%s* the %s closed the connection (C: %d bytes, S: %d bytes)",
			c.prefix, closer, c.sent["C:"], c.sent["S:"])
	}
	c.mu.Unlock()
	return c.Conn.Close()
}
