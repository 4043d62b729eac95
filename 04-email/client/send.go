package main

import (
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

// sender holds how to reach the server.
type sender struct {
	server    string // HOST:PORT
	tlsMode   string
	tlsConfig *tls.Config
	user      string
	password  string
	log       io.Writer
	wire      *wire // -v: the conversation, on stderr; or nil
	// dial connects to the server: a net.Dialer's DialContext, or in
	// tests an in-memory listener's.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	rejected []string // recipients the server refused
}

// send delivers m. An SMTP session is a conversation in lines: the client
// sends a command, the server answers with a three-digit code (2xx done,
// 3xx go on, 4xx try later, 5xx no) and a text. client has a method for
// each command (smtp.go); each step below is one or a few of them, and
// its error says which.
func (s *sender) send(ctx context.Context, m *message) error {
	conn, err := s.connect(ctx)
	if err != nil {
		return explain("connect to "+s.server, err)
	}
	c := newClient(conn, s.wire)
	c.transcript.secrets = credentials(s.user, s.password)
	defer c.close()
	// One deadline for the whole exchange, and Ctrl-C cuts it short.
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline) // a fresh connection: it cannot fail
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	if err := c.greeting(); err != nil {
		if timedOut(err) && s.tlsMode != "implicit" {
			// A port 465 waits in silence for the client's TLS.
			return fmt.Errorf("%w (the server may be busy, or this port "+
				"may expect -tls implicit)", explain("greeting", err))
		}
		return explain("greeting", err)
	}
	if err := s.hello(c); err != nil {
		return err
	}
	if err := s.login(c); err != nil {
		return err
	}
	if err := s.envelope(c, m); err != nil {
		return err
	}
	if err := s.data(ctx, c, m); err != nil {
		return err
	}
	s.quit(c)
	return nil
}

// hello says EHLO, and when the server offers STARTTLS (and -tls is
// starttls) turns this connection into a TLS one: everything after it,
// password included, is encrypted. startTLS says EHLO again.
func (s *sender) hello(c *client) error {
	if err := c.hello(); err != nil {
		return explain("EHLO", err)
	}
	if _, ok := c.ext["STARTTLS"]; !ok || s.tlsMode != "starttls" {
		return nil
	}
	if err := c.startTLS(s.tlsConfig); err != nil {
		return explain("STARTTLS", err)
	}
	return nil
}

// login logs in with AUTH when -user asks for it, as the server offers
// it: over TLS, or without it to this machine only, which the client
// knows by the address it reached (isLoopbackAddr, in local.go).
func (s *sender) login(c *client) error {
	if s.user == "" {
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
	}
	if !ok {
		return errors.New("-user: the server offers no AUTH")
	}
	if err := s.auth(c, mechs); err != nil {
		return explain("AUTH", err)
	}
	return nil
}

// envelope says who the message is from (MAIL FROM) and who it goes to
// (RCPT TO, once for each recipient). A server may refuse some recipients
// and take the others: each refusal is named, with the server's reply,
// and the message goes to those accepted, if any. 421 is no refusal: the
// server is closing the connection, and the client stops.
func (s *sender) envelope(c *client, m *message) error {
	if err := c.mail(m.from.Address); err != nil {
		return explain("MAIL FROM", err)
	}
	for _, rcpt := range m.rcpts() {
		err := c.rcpt(rcpt.Address)
		var tpErr *textproto.Error
		if errors.As(err, &tpErr) && tpErr.Code != 421 {
			fmt.Fprintf(s.log, "refused %s: the server said %s\n",
				rcpt.Address, replyText(err))
			s.rejected = append(s.rejected, rcpt.Address)
		} else if err != nil {
			return explain("RCPT TO "+rcpt.Address, err)
		}
	}
	if len(s.rejected) == len(m.rcpts()) {
		_ = c.reset() // we are leaving; its error changes nothing
		return fmt.Errorf("every recipient was refused (%s): nothing sent",
			strings.Join(s.rejected, ", "))
	}
	return nil
}

// errMaybeDelivered is what a failure after the end of the message means:
// the server may have taken it before the connection broke.
var errMaybeDelivered = errors.New("the message may still have been " +
	"delivered: check before sending again")

// data sends DATA, then the message, through the writer that adds the
// dots and the end (client.data).
func (s *sender) data(ctx context.Context, c *client, m *message) error {
	w, err := c.data()
	if err != nil {
		return explain("DATA", err)
	}
	if err := writeMessage(w, m, time.Now()); err != nil {
		return explain("sending the message", err)
	}
	if err := c.early(ctx); err != nil {
		return fmt.Errorf("%w (before the final dot: the message was "+
			"not sent)", explain("end of DATA", err))
	}
	// The server's answer to the end of the data says whether it took
	// the message.
	if err := w.Close(); isReply(err) {
		return explain("end of DATA", err)
	} else if err != nil {
		return fmt.Errorf("%w (%w)", explain("end of DATA", err), errMaybeDelivered)
	}
	return nil
}

// quit says goodbye. The message is delivered already; a lost goodbye
// does not undo it, so a failure is only logged.
func (s *sender) quit(c *client) {
	if err := c.quit(); err != nil && !isReply(err) {
		fmt.Fprintf(s.log, "QUIT: %s\n", quote(err.Error()))
	}
}

// connect connects to the server: in plain TCP, or in TLS from the first
// byte with -tls implicit (port 465, "SMTPS").
func (s *sender) connect(ctx context.Context) (net.Conn, error) {
	conn, err := s.dial(ctx, "tcp", s.server)
	if err != nil {
		return nil, err
	}
	s.wire.note("connected to %s from %s", conn.RemoteAddr(), conn.LocalAddr())
	if s.tlsMode != "implicit" {
		return conn, nil
	}
	tlsConn := tls.Client(conn, s.tlsConfig)
	if err := tlsConn.HandshakeContext(ctx); err != nil {
		_ = conn.Close() // giving up on it
		return nil, err
	}
	s.wire.note("%s", tlsNote(tlsConn.ConnectionState()))
	return tlsConn, nil
}
