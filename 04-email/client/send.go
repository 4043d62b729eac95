package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"syscall"
	"time"
)

// isLoopback says whether host is this machine, by the names net/smtp's
// PlainAuth also takes as safe without TLS.
func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

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
// 3xx go on, 4xx try later, 5xx no) and a text. Each step below is one
// command; its error says which.
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
	if err := c.Hello("localhost"); err != nil {
		return explain("EHLO", err)
	}

	_, isTLS := c.TLSConnectionState()
	if ok, _ := c.Extension("STARTTLS"); ok && s.tlsMode == "starttls" {
		// STARTTLS turns this connection into a TLS one; everything
		// after it, password included, is encrypted.
		if err := c.StartTLS(s.tlsConfig); err != nil {
			return explain("STARTTLS", err)
		}
		isTLS = true
	}

	if s.user != "" {
		if !isTLS && !isLoopback(s.host) {
			return fmt.Errorf("the server did not offer STARTTLS: refusing " +
				"to send the password without TLS")
		}
		if err := c.Auth(s.auth(c)); err != nil {
			return explain("AUTH", err)
		}
	}

	if err := c.Mail(m.from.Address); err != nil {
		return explain("MAIL FROM", err)
	}
	// A server may refuse some recipients and take the others: name
	// each refusal, and send to those accepted.
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
	if err := c.Quit(); err != nil && !isReply(err) {
		// The message is delivered; a lost goodbye does not undo it.
		fmt.Fprintf(s.log, "QUIT: %s\n", quote(err.Error()))
	}
	return nil
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

// auth picks how to log in: AUTH PLAIN, or AUTH LOGIN when that is all the
// server offers.
func (s *sender) auth(c *smtp.Client) smtp.Auth {
	_, mechs := c.Extension("AUTH")
	if !strings.Contains(" "+strings.ToUpper(mechs)+" ", " PLAIN ") &&
		strings.Contains(" "+strings.ToUpper(mechs)+" ", " LOGIN ") {
		return &loginAuth{user: s.user, password: s.password}
	}
	return smtp.PlainAuth("", s.user, s.password, s.host)
}

// loginAuth is AUTH LOGIN: the server asks "Username:" and "Password:"
// (in base64, which net/smtp decodes), and the client answers each.
type loginAuth struct{ user, password string }

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLoopback(server.Name) {
		return "", nil, errors.New("refusing AUTH LOGIN without TLS")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:":
		return []byte(a.user), nil
	case "password:":
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("unexpected AUTH LOGIN question %s",
		quote(string(fromServer)))
}

// isReply says whether err is the server's answer (a code and a text),
// rather than trouble with the connection.
func isReply(err error) bool {
	var tpErr *textproto.Error
	return errors.As(err, &tpErr)
}

// hints says what a reply code most likely means for the sender.
var hints = map[int]string{
	530: "the server wants STARTTLS or a login first: check -tls and -user",
	535: "most providers want an app password or authorization code here, " +
		"not the login password",
	550: "the address was refused: check it",
	552: "the message is too large for the server",
	554: "the server refused the transaction",
}

// replyText is the server's reply in err, as "550 no such user". Its text
// comes from the network, so it goes through quote.
func replyText(err error) string {
	var tpErr *textproto.Error
	if !errors.As(err, &tpErr) {
		return quote(err.Error())
	}
	return fmt.Sprintf("%d %s", tpErr.Code, quote(tpErr.Msg))
}

// explain names the step that failed and adds a hint where one helps.
func explain(step string, err error) error {
	var tpErr *textproto.Error
	if errors.As(err, &tpErr) {
		err = fmt.Errorf("%s: the server said %s", step, replyText(err))
		if hint, ok := hints[tpErr.Code]; ok {
			err = fmt.Errorf("%w (%s)", err, hint)
		}
		return err
	}
	var unknownCA x509.UnknownAuthorityError
	if errors.As(err, &unknownCA) {
		return fmt.Errorf("%s: %w (if the server's certificate is your own, "+
			"as the local server's is, trust it with -ca FILE)", step,
			netError{err})
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return fmt.Errorf("%s: no answer in time: %w", step, err)
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.Errno(10061)) {
		// (10061 is how Windows says it.)
		return fmt.Errorf("%s: %w (is the server running? go run ./04-email/server)",
			step, err)
	}
	return fmt.Errorf("%s: %w", step, netError{err})
}
