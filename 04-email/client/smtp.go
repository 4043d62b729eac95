package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"time"
)

// client is the client's half of one SMTP session (RFC 5321), a method
// for each command, as net/smtp's Client has. It is written by hand on
// net/textproto, the package net/smtp is built on, so that -v can show
// every line: net/smtp's StartTLS wraps the connection itself and says
// EHLO again out of sight, so a wrapper of ours would see only the
// encrypted bytes.
type client struct {
	raw  net.Conn          // the connection as connected: TLS goes over it
	text *textproto.Conn   // lines on raw, or on TLS over it
	tls  bool              // the connection is encrypted
	ext  map[string]string // what the server offers, from its EHLO reply
	wire *wire             // -v, or nil
	// transcript decides what -v shows of each line (transcript.go).
	transcript *transcript
}

// newClient starts a session on conn.
func newClient(conn net.Conn, w *wire) *client {
	_, isTLS := conn.(*tls.Conn) // -tls implicit
	c := &client{raw: conn, tls: isTLS, wire: w, transcript: new(transcript)}
	c.use(conn)
	return c
}

// use reads and writes lines on conn from now on. With -v, conn is
// wrapped in a net.Conn that prints each line it carries (wireconn.go).
func (c *client) use(conn net.Conn) {
	c.text = textproto.NewConn(
		c.wire.conn(conn, "S:", "C:", c.transcript.show))
}

// cmd sends one command line and reads the reply, of one line or
// several. Its code must be want, or start with it (25 takes 250 and
// 251; 0 takes any): another is an error, a *textproto.Error holding the
// server's code and text.
func (c *client) cmd(want int, format string, args ...any) (int, string, error) {
	line := fmt.Sprintf(format, args...)
	if strings.ContainsAny(line, "\r\n") {
		// A line break would end the command and start another.
		return 0, "", errors.New("a command may not hold a line break")
	}
	if err := c.text.PrintfLine("%s", line); err != nil {
		return 0, "", err
	}
	return c.reply(want)
}

// A reply line is 512 bytes at most (RFC 5321 4.5.3.1.5), and servers
// send a little more at times. textproto's ReadResponse reads a line,
// and the lines of a reply, however many come: a server that never ends
// either would fill the client's memory until -timeout.
const maxReplyLines = 100

// reply reads one reply within bounds: a line no longer than the
// reader's buffer (4096 bytes), and at most maxReplyLines lines, all but
// the last "250-...", the last "250 ...". Then ReadResponse checks its
// code and joins its lines, as cmd says.
func (c *client) reply(want int) (int, string, error) {
	var reply []byte
	for n := 1; ; n++ {
		line, err := c.text.R.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return 0, "", fmt.Errorf("a reply line longer than %d bytes: "+
				"is this an SMTP server?", c.text.R.Size())
		}
		if err != nil {
			return 0, "", err
		}
		reply = append(reply, line...)
		if len(line) < 4 || line[3] != '-' {
			break // the last line
		}
		if n == maxReplyLines {
			return 0, "", fmt.Errorf("a reply of more than %d lines: "+
				"is this an SMTP server?", maxReplyLines)
		}
	}
	r := bufio.NewReaderSize(bytes.NewReader(reply), len(reply))
	code, msg, err := textproto.NewReader(r).ReadResponse(want)
	return code, msg, c.transcript.hideErr(err)
}

// greeting reads the server's first words: 220 if it will talk, 554 if
// it will not (RFC 5321 4.2, 4.3.1).
func (c *client) greeting() error {
	_, _, err := c.reply(220)
	return err
}

// hello says EHLO (RFC 5321 4.1.1.1). The first line of the reply greets
// the client; each other one is an extension the server offers, a
// keyword and maybe parameters: "SIZE 26214400", "AUTH PLAIN LOGIN". A
// server that answers EHLO with an error is from before extensions: it
// gets HELO, and offers nothing.
func (c *client) hello() error {
	_, text, err := c.cmd(250, "EHLO localhost")
	if isReply(err) {
		_, _, err = c.cmd(250, "HELO localhost")
		text = ""
	}
	if err != nil {
		return err
	}
	c.ext = map[string]string{}
	for _, line := range strings.Split(text, "\n")[1:] {
		keyword, params, _ := strings.Cut(line, " ")
		c.ext[strings.ToUpper(keyword)] = params
	}
	return nil
}

// startTLS turns the connection into a TLS one (RFC 3207): after the
// server's 220, the next bytes are a TLS handshake, then the same
// conversation goes on, encrypted, from EHLO again, since the server
// forgets what it was told in plain text. Anything the server sent after
// its 220, unencrypted, is dropped with the old reader. With -v the
// wrapper goes round the TLS connection, and still sees lines.
func (c *client) startTLS(config *tls.Config) error {
	if _, _, err := c.cmd(220, "STARTTLS"); err != nil {
		return err
	}
	conn := tls.Client(c.raw, config)
	if err := conn.Handshake(); err != nil {
		return err
	}
	c.tls = true
	c.wire.note("%s", tlsNote(conn.ConnectionState()))
	c.use(conn)
	return c.hello()
}

// mail starts a message with its envelope's sender (RFC 5321 4.1.1.2),
// where a bounce would go. The message is 7-bit ASCII (quoted-printable,
// base64, encoded words), so it needs no BODY=8BITMIME.
func (c *client) mail(from string) error {
	_, _, err := c.cmd(250, "MAIL FROM:<%s>", from)
	return err
}

// rcpt adds a recipient to the envelope (RFC 5321 4.1.1.3); 251, "will
// forward", is a yes too.
func (c *client) rcpt(to string) error {
	_, _, err := c.cmd(25, "RCPT TO:<%s>", to)
	return err
}

// data asks to send the message (RFC 5321 4.1.1.4). After the server's
// 354, what is written to the writer returned is the message. It adds a
// dot to each line that starts with one (dot-stuffing, 4.5.2), so that no
// line of the message can end it; Close sends the line with a dot alone
// that does, and reads the server's answer: whether it took the message.
func (c *client) data() (io.WriteCloser, error) {
	if _, _, err := c.cmd(354, "DATA"); err != nil {
		return nil, err
	}
	c.transcript.state = inHeaders // for -v: the message follows
	return &dataWriter{c.text.DotWriter(), c}, nil
}

// early looks for a reply that came before the end of the message. Only
// the answer to the final dot says that the server took the message; a
// reply already there answers something else, from a server out of
// step. It sends what is written of the message, waits a millisecond for
// a reply, then puts back the deadline ctx has. It returns that reply as
// an error, or nil when none came. A reply still on its way after that
// millisecond is not seen: it is taken for the answer to the dot, as
// every client must take it.
func (c *client) early(ctx context.Context) error {
	if err := c.text.W.Flush(); err != nil {
		return err
	}
	// A deadline fails only on a closed connection, which Peek reports.
	_ = c.raw.SetReadDeadline(time.Now().Add(time.Millisecond))
	_, err := c.text.R.Peek(1)
	deadline, _ := ctx.Deadline()
	_ = c.raw.SetReadDeadline(deadline)
	if ctx.Err() != nil {
		_ = c.raw.SetReadDeadline(time.Now()) // Ctrl-C came meanwhile
	}
	switch {
	case timedOut(err):
		return nil
	case err != nil:
		return err
	}
	code, msg, err := c.reply(0)
	if err == nil {
		err = &textproto.Error{Code: code, Msg: c.transcript.hide(msg)}
	}
	return err
}

type dataWriter struct {
	io.WriteCloser
	c *client
}

func (d *dataWriter) Close() error {
	if err := d.WriteCloser.Close(); err != nil {
		return err
	}
	_, _, err := d.c.reply(250)
	return err
}

// reset forgets the message begun (RFC 5321 4.1.1.5).
func (c *client) reset() error {
	_, _, err := c.cmd(250, "RSET")
	return err
}

// quit ends the session (RFC 5321 4.1.1.10).
func (c *client) quit() error {
	_, _, err := c.cmd(221, "QUIT")
	return err
}

// close closes the connection, TLS and all.
func (c *client) close() error { return c.text.Close() }
