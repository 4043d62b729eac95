package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"strings"
	"time"
)

// sender holds how to reach the server, and how to log in.
type sender struct {
	server    string // HOST:PORT
	tlsMode   string // starttls (when offered), implicit or none
	tlsConfig *tls.Config
	user      string // AUTH as user, unless ""
	password  string
	dial      func(ctx context.Context, network, addr string) (net.Conn, error)
	wrap      func(net.Conn) net.Conn // nil, or -v's: see client.use
	log       io.Writer               // each refused recipient is named here
	secrets   *regexp.Regexp          // what a server may echo of the password
}

// send delivers the message msg writes, from the envelope's sender from
// to the recipients to, and returns how many of them the server took.
func (s *sender) send(ctx context.Context, from string, to []string,
	msg func(io.Writer) error) (int, error) {
	conn, err := s.dial(ctx, "tcp", s.server)
	if err != nil {
		return 0, at("connect to "+s.server, err)
	}
	c := &client{sender: s, raw: conn, conn: conn}
	defer func() { _ = c.conn.Close() }() // TLS and all
	// One deadline for the whole exchange, and Ctrl-C cuts it short.
	raw := conn // deadlines go on the TCP conn, TLS or not
	bound(ctx, raw)
	defer context.AfterFunc(ctx, func() { bound(ctx, raw) })()
	if s.tlsMode == "implicit" { // TLS from the first byte, port 465
		tlsConn := tls.Client(conn, s.tlsConfig)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			return 0, at("connect to "+s.server, err)
		}
		c.tls, conn = true, tlsConn
	}
	c.use(conn)
	if _, _, err := c.reply(220); err != nil { // or 554: go away
		return 0, at("greeting", err)
	}
	if err := c.hello(ctx); err != nil {
		return 0, err
	}
	took, err := c.envelope(from, to)
	if err == nil {
		err = c.data(ctx, msg)
	}
	if err != nil {
		return 0, err
	}
	// The message is delivered: a lost goodbye does not undo it.
	if _, _, err := c.cmd(221, "QUIT"); err != nil && !isReply(err) {
		fmt.Fprintf(s.log, "QUIT: %q\n", err)
	}
	return took, nil
}

// hello says EHLO, turns to TLS if the server offers STARTTLS (and -tls
// is starttls), and logs in if -user asks, as the server offers, only
// over TLS or to this machine (known by the address reached).
func (c *client) hello(ctx context.Context) error {
	if err := c.ehlo(); err != nil {
		return at("EHLO", err)
	}
	if _, ok := c.ext["STARTTLS"]; ok && c.tlsMode == "starttls" {
		if err := c.startTLS(ctx, c.tlsConfig); err != nil {
			return at("STARTTLS", err)
		}
	}
	if c.user == "" {
		return nil
	}
	if peer := c.raw.RemoteAddr().String(); !c.tls && !isLoopbackAddr(peer) {
		return fmt.Errorf("refusing to send the password without TLS to %s, "+
			"which is not this machine (use -tls starttls with a server "+
			"that offers it, or -tls implicit)", peer)
	}
	mechs, ok := c.ext["AUTH"]
	if !ok && !c.tls {
		return errors.New("-user: the server offers no AUTH " +
			"(a server may offer it only after STARTTLS)")
	} else if !ok {
		return errors.New("-user: the server offers no AUTH")
	}
	return at("AUTH", c.auth(mechs))
}

// envelope sends MAIL FROM, and RCPT TO for each recipient: those the
// server refuses are named with its reply, but 421 means it is closing.
func (c *client) envelope(from string, to []string) (int, error) {
	if _, _, err := c.cmd(250, "MAIL FROM:<%s>", from); err != nil {
		return 0, at("MAIL FROM", err)
	}
	var refused []string
	for _, rcpt := range to {
		_, _, err := c.cmd(25, "RCPT TO:<%s>", rcpt) // 251 will forward
		var tpErr *textproto.Error
		if errors.As(err, &tpErr) && tpErr.Code != 421 {
			fmt.Fprintf(c.log, "refused %s: the server said %v\n", rcpt, err)
			refused = append(refused, rcpt)
		} else if err != nil {
			return 0, at("RCPT TO "+rcpt, err)
		}
	}
	if len(refused) == len(to) {
		return 0, fmt.Errorf("every recipient was refused (%s): nothing "+
			"sent", strings.Join(refused, ", "))
	}
	return len(to) - len(refused), nil
}

// at returns err, unless nil, as a failure at step: "MAIL FROM", say.
func at(step string, err error) error {
	if isReply(err) {
		return fmt.Errorf("%s: the server said %w", step, err)
	} else if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	return nil
}

// bound sets conn's deadline to ctx's, or to now once ctx is done: a
// connection knows nothing of contexts.
func bound(ctx context.Context, conn net.Conn) {
	deadline, _ := ctx.Deadline()
	if ctx.Err() != nil {
		deadline = time.Now()
	}
	_ = conn.SetDeadline(deadline) // fails only if closed, as reads will say
}

// isReply says whether err is the server's answer, not a failed read.
func isReply(err error) bool {
	var tpErr *textproto.Error
	return errors.As(err, &tpErr)
}
