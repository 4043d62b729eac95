// Command client sends an email over SMTP: plain text, or with files
// attached, to any number of recipients.
//
// It is the Go version of the tutorial's section "send email", which
// uses Python's smtplib. Try it against the local mail server:
//
//	go run ./04-email/server
//	go run ./04-email/client -to "Luo Hao <luohao@example.com>" -body Hi!
//
// To see the message it would send, with its MIME encoding, add -dry-run.
// A password, when the server wants one (-user), comes only from the
// environment variable SMTP_PASSWORD.
package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// errUsage reports a mistake on the command line. The flag package, or
// run, has already said what was wrong, so main only exits with status 2.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

// listFlag is a flag that may be given several times; each value may
// also hold several items separated by commas.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ", ") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// message is what to send, checked: every address parsed, every header
// value free of line breaks.
type message struct {
	from        *mail.Address
	to, cc, bcc []*mail.Address
	subject     string
	body        string
	attach      []string // paths of files to attach
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client -to ADDR [-cc ADDR] [-bcc ADDR] "+
			"[-subject S] [-body TEXT | -body-file FILE] [-attach FILE]...\n"+
			"              [-server HOST:PORT] [-from ADDR] [-user NAME] "+
			"[-tls starttls|implicit|none] [-ca FILE] [-timeout D] [-dry-run]\n"+
			"With -user, the password comes from the environment variable "+
			"SMTP_PASSWORD.")
		fs.PrintDefaults()
	}
	server := fs.String("server", "127.0.0.1:1025", "the SMTP server, HOST:PORT")
	from := fs.String("from", "Netprog Sender <sender@example.com>", "the sender")
	var to, cc, bcc, attach listFlag
	fs.Var(&to, "to", "recipients, `ADDR`[,ADDR...]; the flag may be repeated")
	fs.Var(&cc, "cc", "copy recipients, shown to all")
	fs.Var(&bcc, "bcc", "blind copy recipients: in the envelope only, never in a header")
	subject := fs.String("subject", "A message from netprog", "the subject")
	body := fs.String("body", "", "the text of the message")
	bodyFile := fs.String("body-file", "", "a UTF-8 text file to use as the text")
	fs.Var(&attach, "attach", "a `FILE` to attach; may be repeated")
	user := fs.String("user", "", "log in as `NAME` (password: $SMTP_PASSWORD)")
	tlsMode := fs.String("tls", "starttls", "starttls (upgrade when the server "+
		"offers it), implicit (TLS from the start, port 465) or none")
	caFile := fs.String("ca", "", "a PEM `FILE` of certificates to trust "+
		"besides the system's, e.g. the local server's")
	timeout := fs.Duration("timeout", 30*time.Second, "bound on the whole exchange")
	dryRun := fs.Bool("dry-run", false, "print the message instead of sending it")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	usage := func(format string, a ...any) error {
		fmt.Fprintf(stderr, format+"\n", a...)
		fs.Usage()
		return errUsage
	}

	// Check everything before a byte goes on the wire.
	m, err := newMessage(*from, to, cc, bcc, *subject, attach)
	switch {
	case err != nil:
		return usage("%v", err)
	case fs.NArg() > 0:
		return usage("unexpected argument %q", fs.Arg(0))
	case *body != "" && *bodyFile != "":
		return usage("give -body or -body-file, not both")
	case *tlsMode != "starttls" && *tlsMode != "implicit" && *tlsMode != "none":
		return usage("-tls must be starttls, implicit or none, not %q", *tlsMode)
	case *timeout <= 0:
		return usage("-timeout must be more than 0")
	}
	host, _, err := net.SplitHostPort(*server)
	if err != nil {
		return usage("-server %q: want HOST:PORT, e.g. 127.0.0.1:1025", *server)
	}
	password := getenv("SMTP_PASSWORD")
	if *user != "" && password == "" {
		return usage("-user needs the password in the environment variable SMTP_PASSWORD")
	}
	// A password sent without TLS can be read by anyone on the way.
	// Only the machine itself is safe without it.
	if *user != "" && *tlsMode == "none" && !isLoopback(host) {
		return usage("refusing to send a password to %s without TLS: "+
			"use -tls starttls or -tls implicit", host)
	}
	m.body = *body
	if *bodyFile != "" {
		text, err := os.ReadFile(*bodyFile)
		if err != nil {
			return fmt.Errorf("-body-file: %w", err)
		}
		if !utf8.Valid(text) {
			return fmt.Errorf("-body-file %s is not UTF-8 text", *bodyFile)
		}
		m.body = string(text)
	}
	for _, path := range m.attach {
		info, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("-attach: %w", err)
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("-attach %s: not a regular file", path)
		}
	}

	if *dryRun {
		return writeMessage(stdout, m, time.Now())
	}

	tlsConfig := &tls.Config{ServerName: host}
	if *caFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool() // Windows before Go 1.18 had none
		}
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return fmt.Errorf("-ca: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("-ca %s: no PEM certificate in it", *caFile)
		}
		tlsConfig.RootCAs = pool
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	s := sender{server: *server, host: host, tlsMode: *tlsMode,
		tlsConfig: tlsConfig, user: *user, password: password, log: stderr}
	err = s.send(ctx, m)
	switch {
	case err == nil:
	case errors.Is(ctx.Err(), context.Canceled):
		return errors.New("interrupted")
	case errors.Is(err, os.ErrDeadlineExceeded),
		errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%w (-timeout %v is over)", err, *timeout)
	default:
		return err
	}
	n := len(m.rcpts()) - len(s.rejected)
	plural := "s"
	if n == 1 {
		plural = ""
	}
	fmt.Fprintf(stdout, "sent to %d recipient%s via %s\n", n, plural, *server)
	return nil
}

// newMessage parses the addresses and checks the header values.
func newMessage(from string, to, cc, bcc []string, subject string,
	attach []string) (*message, error) {
	// A line break in a header value would end the header and start
	// another: "Hi\r\nBcc: everyone@example.com". Refuse it, whatever
	// the value.
	for _, f := range []struct {
		name   string
		values []string
	}{{"-from", []string{from}}, {"-subject", []string{subject}}, {"-to", to},
		{"-cc", cc}, {"-bcc", bcc}, {"-attach", attach}} {
		for _, v := range f.values {
			if err := checkHeaderValue(v); err != nil {
				return nil, fmt.Errorf("%s %q: %w", f.name, v, err)
			}
		}
	}
	if len(subject) > 900 {
		return nil, errors.New("-subject is too long: 900 bytes at most")
	}
	var m message
	var err error
	if m.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("-from %q: %w", from, err)
	}
	for _, list := range []struct {
		name  string
		flags []string
		dst   *[]*mail.Address
	}{{"-to", to, &m.to}, {"-cc", cc, &m.cc}, {"-bcc", bcc, &m.bcc}} {
		for _, v := range list.flags {
			addrs, err := mail.ParseAddressList(v)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", list.name, v, err)
			}
			*list.dst = append(*list.dst, addrs...)
		}
	}
	if len(m.rcpts()) == 0 {
		return nil, errors.New("no recipients: give -to, -cc or -bcc")
	}
	// The envelope is ASCII unless both sides speak SMTPUTF8, which
	// net/smtp does not. A name may be in any script; an address not.
	for _, a := range append(m.rcpts(), m.from) {
		if strings.ContainsFunc(a.Address, func(r rune) bool { return r > 0x7e }) {
			return nil, fmt.Errorf("address %q is not ASCII: write its domain "+
				"in ASCII (xn--...); other scripts need SMTPUTF8, "+
				"which this client does not speak", a.Address)
		}
	}
	m.subject = subject
	m.attach = attach
	return &m, nil
}

// checkHeaderValue refuses a value that holds a line break or another
// control character, which could end the header it is put in.
func checkHeaderValue(v string) error {
	for _, r := range v {
		if r == '\r' || r == '\n' {
			return errors.New("holds a line break: refused, " +
				"since it could add headers of its own")
		}
		if r < ' ' && r != '\t' || r == 0x7f {
			return errors.New("holds a control character")
		}
	}
	return nil
}

// rcpts is everyone the message goes to: the envelope's recipients.
func (m *message) rcpts() []*mail.Address {
	return append(append(append([]*mail.Address(nil), m.to...), m.cc...), m.bcc...)
}

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

	rejected []string // recipients the server refused
}

// send delivers m. An SMTP session is a conversation in lines: the client
// sends a command, the server answers with a three-digit code (2xx done,
// 3xx go on, 4xx try later, 5xx no) and a text. Each step below is one
// command; its error says which.
func (s *sender) send(ctx context.Context, m *message) error {
	conn, err := s.dial(ctx)
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
		fmt.Fprintf(s.log, "QUIT: %v\n", err)
	}
	return nil
}

// dial connects to the server: in plain TCP, or in TLS from the first
// byte with -tls implicit (port 465, "SMTPS").
func (s *sender) dial(ctx context.Context) (net.Conn, error) {
	if s.tlsMode == "implicit" {
		d := tls.Dialer{Config: s.tlsConfig}
		return d.DialContext(ctx, "tcp", s.server)
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", s.server)
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
	return nil, fmt.Errorf("unexpected AUTH LOGIN question %q", fromServer)
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

// replyText is the server's reply in err, as "550 no such user", with any
// control character quoted: it comes from the network.
func replyText(err error) string {
	var tpErr *textproto.Error
	if !errors.As(err, &tpErr) {
		return err.Error()
	}
	msg := tpErr.Msg
	if strings.ContainsFunc(msg, unicode.IsControl) {
		msg = strconv.Quote(msg)
	}
	return fmt.Sprintf("%d %s", tpErr.Code, msg)
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
			"as the local server's is, trust it with -ca FILE)", step, err)
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
	return fmt.Errorf("%s: %w", step, err)
}

// writeMessage writes m as an Internet message (RFC 5322) with MIME: the
// headers, a blank line, and the body, every line ending in CRLF.
// Attachments are read from disk as they are written.
func writeMessage(w io.Writer, m *message, now time.Time) error {
	h := header{w: w}
	h.add("From", m.from.String()) // a non-ASCII name is encoded by String
	if len(m.to) > 0 {
		h.add("To", addressList(m.to))
	} else {
		h.add("To", "undisclosed-recipients:;") // Bcc only: an empty group
	}
	if len(m.cc) > 0 {
		h.add("Cc", addressList(m.cc))
	}
	// Header values are ASCII. Anything else travels as an "encoded
	// word", =?utf-8?b?...?=, which mail programs decode for display.
	// A long subject becomes several encoded words: each goes on a line
	// of its own ("folding"), since a header line may not be longer
	// than 998 characters.
	h.add("Subject", strings.ReplaceAll(mime.BEncoding.Encode("utf-8", m.subject),
		"?= =?", "?=\r\n =?"))
	h.add("Date", now.Format(time.RFC1123Z))
	h.add("Message-ID", messageID(m.from.Address))
	h.add("MIME-Version", "1.0")
	if h.err != nil {
		return h.err
	}

	if len(m.attach) == 0 {
		h.add("Content-Type", "text/plain; charset=utf-8")
		h.add("Content-Transfer-Encoding", "quoted-printable")
		h.end()
		if h.err != nil {
			return h.err
		}
		return writeText(w, m.body)
	}

	// With attachments the body has parts, one after another, each with
	// headers of its own, between lines of a boundary that appears
	// nowhere else.
	mw := multipart.NewWriter(w)
	h.add("Content-Type", mime.FormatMediaType("multipart/mixed",
		map[string]string{"boundary": mw.Boundary()}))
	h.end()
	if h.err != nil {
		return h.err
	}
	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	if err := writeText(part, m.body); err != nil {
		return err
	}
	for _, path := range m.attach {
		if err := writeAttachment(mw, path); err != nil {
			return err
		}
	}
	return mw.Close()
}

// header writes header lines, keeping the first error.
type header struct {
	w   io.Writer
	err error
}

func (h *header) add(name, value string) {
	if h.err == nil {
		_, h.err = fmt.Fprintf(h.w, "%s: %s\r\n", name, value)
	}
}

func (h *header) end() {
	if h.err == nil {
		_, h.err = io.WriteString(h.w, "\r\n")
	}
}

func addressList(list []*mail.Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// messageID makes a Message-ID that no other message has.
func messageID(from string) string {
	domain := "localhost"
	if i := strings.LastIndex(from, "@"); i >= 0 {
		domain = from[i+1:]
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + domain + ">"
}

// writeText writes text in quoted-printable: ASCII stays readable, other
// bytes become =XX, and no line is longer than 76 characters. Line
// endings become CRLF.
func writeText(w io.Writer, text string) error {
	qp := quotedprintable.NewWriter(w)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if !strings.HasSuffix(text, "\n") {
		text += "\n" // the last line ends like the others
	}
	if _, err := io.WriteString(qp, text); err != nil {
		return err
	}
	return qp.Close()
}

// writeAttachment adds the file at path as a base64 part. Its type comes
// from its extension; its name goes in Content-Disposition, in the form
// of RFC 2231 (filename*=, percent-encoded UTF-8) when it is not ASCII.
func writeAttachment(mw *multipart.Writer, path string) error {
	name := filepath.Base(path)
	ctype := mime.TypeByExtension(filepath.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("-attach: %w", err)
	}
	defer f.Close()
	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {ctype},
		"Content-Transfer-Encoding": {"base64"},
		"Content-Disposition": {mime.FormatMediaType("attachment",
			map[string]string{"filename": name})},
	})
	if err != nil {
		return err
	}
	// The file is read 32 KiB at a time and encoded on the way: it is
	// never whole in memory, however large.
	lines := &lineWriter{w: part}
	enc := base64.NewEncoder(base64.StdEncoding, lines)
	if _, err := io.Copy(enc, f); err != nil {
		return fmt.Errorf("-attach %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return lines.end()
}

// lineWriter breaks what it is given into lines of 76 characters, the
// most MIME allows for base64.
type lineWriter struct {
	w   io.Writer
	col int
}

func (l *lineWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), 76-l.col)]
		if _, err := l.w.Write(chunk); err != nil {
			return n, err
		}
		n += len(chunk)
		l.col += len(chunk)
		p = p[len(chunk):]
		if l.col == 76 {
			if _, err := l.w.Write(crlf); err != nil {
				return n, err
			}
			l.col = 0
		}
	}
	return n, nil
}

// end finishes the last line.
func (l *lineWriter) end() error {
	if l.col == 0 {
		return nil
	}
	_, err := l.w.Write(crlf)
	return err
}

var crlf = []byte("\r\n")
