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

// client is a sender's half of one SMTP session (RFC 5321), on
// net/textproto as net/smtp is, but by hand: so -v's wrapper goes over
// TLS, where it sees the text.
type client struct {
	*sender
	raw  net.Conn // as dialed: TLS goes over it
	conn net.Conn // what the text crosses: raw or TLS, wrapped
	text *textproto.Conn
	tls  bool              // the text is encrypted
	ext  map[string]string // what the server offers, from EHLO
}

// use sends and reads lines on conn, wrapped, from now on.
func (c *client) use(conn net.Conn) {
	if c.wrap != nil {
		conn = c.wrap(conn)
	}
	c.conn, c.text = conn, textproto.NewConn(conn)
}

// hide tells a -v wrapper, if conn is one, to count what crosses instead
// of showing it (a password, a message); but first to show what was read
// (the question a password answers).
func hide(conn net.Conn, on bool) {
	if f, ok := conn.(interface{ Flush() }); ok && on {
		f.Flush()
	}
	if h, ok := conn.(interface{ Hide(bool) }); ok {
		h.Hide(on)
	}
}

// cmd sends one command line and reads the reply, whose code must be
// want or start with it (25 takes 251; 0 any), or it is a *textproto.Error.
func (c *client) cmd(want int, format string, args ...any) (int, string, error) {
	line := fmt.Sprintf(format, args...)
	if strings.ContainsAny(line, "\r\n") { // it would end the command
		return 0, "", errors.New("a command may not hold a line break")
	}
	if err := c.text.PrintfLine("%s", line); err != nil {
		return 0, "", err
	}
	return c.reply(want)
}

// maxReplyLines bounds a reply, of which ReadResponse reads any number.
const maxReplyLines = 100

// reply reads one reply within bounds: lines no longer than the reader's
// buffer (4096 bytes), maxReplyLines at most. Then ReadResponse checks
// its code and joins its lines, as cmd says.
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
	// A server may echo the password, in this reply or with it: -v
	// counts what was read (hide would show it); errors say <hidden>.
	if c.secrets != nil && (c.text.R.Buffered() > 0 || c.secrets.Match(reply)) {
		if h, ok := c.conn.(interface{ Hide(bool) }); ok {
			h.Hide(true)
			h.Hide(false)
		}
		reply = c.secrets.ReplaceAllLiteral(reply, []byte("<hidden>"))
	}
	r := bufio.NewReaderSize(bytes.NewReader(reply), len(reply))
	code, msg, err := textproto.NewReader(r).ReadResponse(want)
	if tpErr, ok := err.(*textproto.Error); ok {
		err = replyError{tpErr}
	} else if err != nil {
		err = fmt.Errorf("%q", err.Error()) // it holds the reply
	}
	return code, msg, err
}

// A replyError is the server's reply, its text quoted: 550 "no such user".
type replyError struct{ reply *textproto.Error }

func (e replyError) Unwrap() error { return e.reply }
func (e replyError) Error() string {
	return fmt.Sprintf("%d %q", e.reply.Code, e.reply.Msg)
}

// ehlo says EHLO (RFC 5321 4.1.1.1). Each reply line after the first
// is an extension the server offers: "SIZE 26214400", "AUTH PLAIN". A
// server from before extensions refuses EHLO: it gets HELO.
func (c *client) ehlo() error {
	_, text, err := c.cmd(250, "EHLO localhost")
	if isReply(err) {
		_, _, err = c.cmd(250, "HELO localhost")
		text = ""
	}
	c.ext = map[string]string{}
	for _, line := range strings.Split(text, "\n")[1:] {
		keyword, params, _ := strings.Cut(line, " ")
		c.ext[strings.ToUpper(keyword)] = params
	}
	return err
}

// startTLS turns the connection into a TLS one (RFC 3207): after the
// 220, a handshake, then the conversation again from EHLO, encrypted.
// What came after the 220, in plain text, goes with the old reader.
func (c *client) startTLS(ctx context.Context, config *tls.Config) error {
	if _, _, err := c.cmd(220, "STARTTLS"); err != nil {
		return err
	}
	hide(c.conn, true) // -v is done with the plain text: the 220 shows now
	hide(c.conn, false)
	conn := tls.Client(c.raw, config)
	if err := conn.HandshakeContext(ctx); err != nil {
		return err
	}
	c.tls = true
	c.use(conn)
	return c.ehlo()
}

// data sends the message msg writes (RFC 5321 4.1.1.4), -v showing its
// size, through a DotWriter: it doubles a dot that starts a line (4.5.2),
// and ends with a line of a dot alone, whose answer alone says the
// server took the message.
func (c *client) data(ctx context.Context, msg func(io.Writer) error) error {
	if _, _, err := c.cmd(354, "DATA"); err != nil {
		return at("DATA", err)
	}
	hide(c.conn, true)
	defer hide(c.conn, false)
	w := c.text.DotWriter()
	err := msg(w)
	if err == nil {
		err = c.text.W.Flush()
	}
	if err != nil {
		return at("sending the message", err)
	}
	// A reply within a millisecond is from a server out of step; a later
	// one is taken for the answer to the final dot, as it must be.
	_ = c.raw.SetReadDeadline(time.Now().Add(time.Millisecond)) // see bound
	_, err = c.text.R.Peek(1)
	bound(ctx, c.raw)
	if err == nil {
		_, _, err = c.reply(1) // no reply's code starts with 1: an error
	}
	if err != nil && !timedOut(err) {
		return fmt.Errorf("%w (before the final dot: the message was "+
			"not sent)", at("end of DATA", err))
	}
	err = w.Close()
	hide(c.conn, false)
	if err == nil {
		_, _, err = c.reply(250)
	}
	if err != nil && !isReply(err) {
		return fmt.Errorf("%w (%w)", at("end of DATA", err), errMaybeDelivered)
	}
	return at("end of DATA", err)
}

// errMaybeDelivered is what a failure after the end of the message means.
var errMaybeDelivered = errors.New("the message may still have been " +
	"delivered: check before sending again")
