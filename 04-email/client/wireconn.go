// This file shows a conversation in lines by wrapping the connection,
// for 04-email/client's -v.

package main

import (
	"bytes"
	"net"
	"sync"
)

// conn returns c, and with -v a net.Conn that also prints every line it
// reads, marked in, and every line it writes, marked out. show, if not
// nil, sees each line first and returns what to print instead, or false
// to print nothing: a program hides a password there, or a message's
// body. A line is printed when its end comes by, so a protocol in lines
// (SMTP) reads as it is written; bytes that never end a line are printed
// when the connection closes.
func (l *wire) conn(c net.Conn, in, out string,
	show func(who, line string) (string, bool)) net.Conn {
	if l == nil {
		return c
	}
	return &wireConn{Conn: c, l: l, show: show,
		in: wireLines{who: in}, out: wireLines{who: out}}
}

type wireConn struct {
	net.Conn
	l       *wire
	show    func(who, line string) (string, bool)
	in, out wireLines
	showing sync.Mutex // show is called for one line at a time
}

// wireLines holds the part of a line seen so far in one direction.
type wireLines struct {
	mu      sync.Mutex
	who     string
	partial []byte
}

// maxPartial bounds the part of a line kept while its end has not come:
// a peer that never sends a line end cannot grow it.
const maxPartial = 4096

func (c *wireConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.feed(&c.in, p[:n])
	return n, err
}

func (c *wireConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.feed(&c.out, p[:n])
	return n, err
}

func (c *wireConn) Close() error {
	c.flush(&c.in)
	c.flush(&c.out)
	return c.Conn.Close()
}

// feed adds b to the lines of one direction, and prints those it ends.
func (c *wireConn) feed(d *wireLines, b []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			d.partial = append(d.partial, b[:min(len(b), maxPartial-len(d.partial))]...)
			return
		}
		d.partial = append(d.partial, b[:min(i, maxPartial-len(d.partial))]...)
		c.print(d.who, string(bytes.TrimSuffix(d.partial, []byte("\r"))))
		d.partial, b = d.partial[:0], b[i+1:]
	}
}

// flush prints what is left of a line in one direction.
func (c *wireConn) flush(d *wireLines) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.partial) > 0 {
		c.print(d.who, string(d.partial))
		d.partial = d.partial[:0]
	}
}

func (c *wireConn) print(who, line string) {
	// A Read and a Write may run at once; show may keep state between
	// the lines it sees.
	c.showing.Lock()
	defer c.showing.Unlock()
	if c.show != nil {
		var ok bool
		if line, ok = c.show(who, line); !ok {
			return
		}
	}
	c.l.line(who, line)
}
