package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"strings"
	"time"
)

// sender holds how to reach the server.
type sender struct {
	server    string // HOST:PORT
	host      string
	tlsMode   string
	tlsConfig *tls.Config
	user      string
	password  string
	log       io.Writer
	// dial connects to the server: a net.Dialer's DialContext, or in
	// tests an in-memory listener's.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)

	rejected []string // recipients the server refused
}

// send delivers m. An SMTP session is a conversation in lines: the client
// sends a command, the server answers with a three-digit code (2xx done,
// 3xx go on, 4xx try later, 5xx no) and a text. net/smtp's Client has a
// method for each command; each step below is one or two of them, and
// its error says which.
func (s *sender) send(ctx context.Context, m *message) error {
	conn, err := s.connect(ctx)
	if err != nil {
		return explain("connect to "+s.server, err)
	}
	defer conn.Close()
	// One deadline for the whole exchange, and Ctrl-C cuts it short.
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline) // a fresh connection: it cannot fail
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	c, err := smtp.NewClient(conn, s.host) // reads the greeting
	if err != nil {
		return explain("greeting", err)
	}
	defer c.Close()
	if err := s.hello(c); err != nil {
		return err
	}
	if err := s.login(c); err != nil {
		return err
	}
	if err := s.envelope(c, m); err != nil {
		return err
	}
	if err := s.data(c, m); err != nil {
		return err
	}
	s.quit(c)
	return nil
}

// hello says EHLO, and when the server offers STARTTLS (and -tls is
// starttls) turns this connection into a TLS one: everything after it,
// password included, is encrypted. The client then says EHLO again, as
// net/smtp does by itself.
func (s *sender) hello(c *smtp.Client) error {
	if err := c.Hello("localhost"); err != nil {
		return explain("EHLO", err)
	}
	if ok, _ := c.Extension("STARTTLS"); !ok || s.tlsMode != "starttls" {
		return nil
	}
	if err := c.StartTLS(s.tlsConfig); err != nil {
		return explain("STARTTLS", err)
	}
	return nil
}

// login logs in with AUTH when -user asks for it: over TLS, or without it
// to this machine only.
func (s *sender) login(c *smtp.Client) error {
	if s.user == "" {
		return nil
	}
	if _, isTLS := c.TLSConnectionState(); !isTLS && !isLoopbackHost(s.host) {
		return fmt.Errorf("the server did not offer STARTTLS: refusing " +
			"to send the password without TLS")
	}
	if err := c.Auth(s.auth(c)); err != nil {
		return explain("AUTH", err)
	}
	return nil
}

// envelope says who the message is from (MAIL FROM) and who it goes to
// (RCPT TO, once for each recipient). A server may refuse some recipients
// and take the others: each refusal is named, and the message goes to
// those accepted, if any.
func (s *sender) envelope(c *smtp.Client, m *message) error {
	if err := c.Mail(m.from.Address); err != nil {
		return explain("MAIL FROM", err)
	}
	accepted := 0
	for _, rcpt := range m.rcpts() {
		if err := c.Rcpt(rcpt.Address); err != nil {
			if !isReply(err) {
				return explain("RCPT TO "+rcpt.Address, err)
			}
			fmt.Fprintf(s.log, "refused %s: the server said %s\n",
				rcpt.Address, replyText(err))
			s.rejected = append(s.rejected, rcpt.Address)
			continue
		}
		accepted++
	}
	if accepted == 0 {
		_ = c.Reset() // we are leaving; its error changes nothing
		return fmt.Errorf("every recipient was refused (%s): nothing sent",
			strings.Join(s.rejected, ", "))
	}
	return nil
}

// data sends DATA, then the message. The writer net/smtp returns adds the
// second dot to a line that starts with one, and closing it sends the
// line with the dot alone that ends the message.
func (s *sender) data(c *smtp.Client, m *message) error {
	w, err := c.Data()
	if err != nil {
		return explain("DATA", err)
	}
	if err := writeMessage(w, m, time.Now()); err != nil {
		return explain("sending the message", err)
	}
	// The server's answer to the end of the data says whether it took
	// the message.
	if err := w.Close(); err != nil {
		return explain("end of DATA", err)
	}
	return nil
}

// quit says goodbye. The message is delivered already; a lost goodbye
// does not undo it, so a failure is only logged.
func (s *sender) quit(c *smtp.Client) {
	if err := c.Quit(); err != nil && !isReply(err) {
		fmt.Fprintf(s.log, "QUIT: %s\n", quote(err.Error()))
	}
}

// connect connects to the server: in plain TCP, or in TLS from the first
// byte with -tls implicit (port 465, "SMTPS").
func (s *sender) connect(ctx context.Context) (net.Conn, error) {
	conn, err := s.dial(ctx, "tcp", s.server)
	if err != nil || s.tlsMode != "implicit" {
		return conn, err
	}
	tlsConn := tls.Client(conn, s.tlsConfig)
	if err := tlsConn.HandshakeContext(ctx); err != nil {
		_ = conn.Close() // giving up on it
		return nil, err
	}
	return tlsConn, nil
}
