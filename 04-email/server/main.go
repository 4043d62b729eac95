// Command server is a local mail sink: an SMTP server (RFC 5321) that
// accepts every message sent to it and saves it as a .eml file in a folder
// instead of delivering it. It prints one line per message: who sent it to
// whom, the subject and the attachments.
//
// It is the other end of the tutorial's section "send email": the Python
// programs there talk to smtp.126.com, and this server lets them (and this
// chapter's client) send real SMTP without an account or the internet.
// With -tls it offers STARTTLS, and with -user it asks for a password
// (AUTH PLAIN or LOGIN), as the tutorial's mail server does.
//
//	go run ./04-email/server
//	go run ./04-email/client -server 127.0.0.1:1025
//
// With encryption and a password (taken from the environment, never a flag):
//
//	SMTP_PASSWORD=secret go run ./04-email/server -tls -user alice
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
)

// errUsage reports a mistake on the command line. The flag package has
// already printed what was wrong, so main only exits with status 2.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first Ctrl-C asks for a clean stop; once it has, a second one
	// ends the program at once, as usual.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] [-out DIR] "+
			"[-tls] [-user NAME] [-max-size N] [-max-rcpt N] [-timeout D]\n"+
			"With -user, the password is read from the environment "+
			"variable SMTP_PASSWORD.")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:1025",
		"address to listen on (0.0.0.0:1025 to let other machines in)")
	out := fs.String("out", "mailbox",
		"folder to save messages in, one .eml file each (made if missing)")
	useTLS := fs.Bool("tls", false, "offer STARTTLS, with a certificate "+
		"made at start-up and saved as OUT/server-cert.pem")
	cfg := config{grace: 10 * time.Second}
	fs.StringVar(&cfg.user, "user", "", "require AUTH as this user "+
		"(the password comes from SMTP_PASSWORD)")
	fs.Int64Var(&cfg.maxSize, "max-size", 25<<20,
		"largest message accepted, in bytes")
	fs.IntVar(&cfg.maxRcpt, "max-rcpt", 100, "most recipients per message")
	fs.DurationVar(&cfg.timeout, "timeout", 60*time.Second,
		"how long a client may take to send one command or message line")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	cfg.password = getenv("SMTP_PASSWORD")
	var problem string
	switch _, _, err := net.SplitHostPort(*addr); {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case err != nil:
		problem = fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:1025",
			*addr)
	case *out == "":
		problem = "-out must name a folder"
	case cfg.user != "" && cfg.password == "":
		problem = "-user needs a password: set the environment variable " +
			"SMTP_PASSWORD"
	case cfg.maxSize < 1:
		problem = "-max-size must be 1 or more"
	case cfg.maxRcpt < 1:
		problem = "-max-rcpt must be 1 or more"
	case cfg.timeout <= 0:
		problem = "-timeout must be more than 0"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return errUsage
	}
	if cfg.user == "" {
		cfg.password = "" // not asked for: never used
	}

	// Every file the server writes goes through an os.Root, which
	// refuses any path that would lead out of the folder.
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	root, err := os.OpenRoot(*out)
	if err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	defer root.Close()
	cfg.mailbox, cfg.dir = root, *out
	cfg.host, err = os.Hostname()
	if err != nil || cfg.host == "" {
		cfg.host = "localhost" // only a name in the greeting
	}
	cfg.log = log.New(stderr, "", log.LstdFlags)
	cfg.report = log.New(stdout, "", 0)

	if *useTLS {
		if cfg.tls, err = makeTLS(root); err != nil {
			return err
		}
		cfg.log.Printf("TLS certificate saved as %s (clients can trust it "+
			"with -ca)", filepath.Join(*out, certFile))
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("%w (is another server using that port? "+
			"choose another with -addr)", err)
	}
	starttls, auth := "off", "off"
	if cfg.tls != nil {
		starttls = "on"
	}
	if cfg.user != "" {
		auth = "required"
	}
	cfg.log.Printf("listening on %s (STARTTLS %s, AUTH %s), saving to %s",
		ln.Addr(), starttls, auth, *out)
	if err := serve(ctx, ln, &cfg); err != nil {
		return err
	}
	cfg.log.Print("stopped")
	return nil
}

// config is how the server treats every session.
type config struct {
	mailbox  *os.Root      // the -out folder: every file goes through it
	dir      string        // its name as given, for messages
	host     string        // our name in the greeting
	tls      *tls.Config   // nil without -tls
	user     string        // "" unless -user: then AUTH is required
	password string        // from SMTP_PASSWORD; never printed
	maxSize  int64         // largest message, in bytes
	maxRcpt  int           // most recipients per message
	timeout  time.Duration // bound on each command, line and reply
	grace    time.Duration // how long Ctrl-C waits for messages in hand
	log      *log.Logger   // progress, to stderr
	report   *log.Logger   // one line per saved message, to stdout
}

// certFile is where -tls saves the server's certificate, in the -out folder.
const certFile = "server-cert.pem"

// makeTLS makes a key pair and a certificate for it, signed by itself, and
// saves the certificate in root. A client cannot check a self-signed
// certificate against the authorities it knows: it must be given this one
// to trust (the client's -ca flag), or the encryption protects only against
// eavesdroppers, not against someone in the middle.
func makeTLS(root *os.Root) (*tls.Config, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("make a TLS key: %w", err)
	}
	// The names a client may dial us by. It checks that the one it
	// used is in the certificate. The serial number is left for
	// CreateCertificate to choose at random.
	template := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "netprog mail sink"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:   time.Now().Add(-time.Hour), // a clock a little behind
		NotAfter:    time.Now().AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		// It is its own authority, so that clients may trust it as one.
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template,
		&key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("make a TLS certificate: %w", err)
	}
	err = saveAtomic(root, certFile, func(w io.Writer) error {
		return pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	})
	if err != nil {
		return nil, fmt.Errorf("save the TLS certificate: %w", err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// maxSessions bounds the clients served at once; more wait their turn in
// the system's queue of connections, costing nothing here.
const maxSessions = 100

// serve accepts connections on ln and holds an SMTP session with each in a
// goroutine of its own, until ctx is cancelled. Then it stops accepting,
// tells the sessions waiting for a command that it is shutting down, gives
// the ones receiving a message cfg.grace to finish it, closes what is
// left, and returns nil.
func serve(ctx context.Context, ln net.Listener, cfg *config) error {
	// Closing the listener is what wakes Accept when ctx is cancelled.
	stop := context.AfterFunc(ctx, func() {
		_ = ln.Close() // an error means it is closed already
	})
	defer stop()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		sessions = map[*session]bool{} // the sessions in progress
	)
	slots := make(chan struct{}, maxSessions)
	err := func() error {
		for {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			conn, err := ln.Accept()
			if err != nil {
				<-slots
				if ctx.Err() != nil {
					return nil // shutting down: we closed the listener
				}
				if errors.Is(err, net.ErrClosed) {
					return fmt.Errorf("accept: %w", err)
				}
				// Out of file descriptors, most likely. Wait a
				// little and go on.
				cfg.log.Printf("accept: %v (retrying)", err)
				select {
				case <-time.After(100 * time.Millisecond):
				case <-ctx.Done():
				}
				continue
			}
			s := newSession(conn, cfg)
			mu.Lock()
			sessions[s] = true
			mu.Unlock()
			// One goroutine per client is where the tutorial's
			// mail server would use a thread, or serve one client
			// at a time.
			wg.Go(func() {
				defer func() {
					mu.Lock()
					delete(sessions, s)
					mu.Unlock()
					_ = conn.Close() // the session is over either way
					<-slots
				}()
				s.serve()
			})
		}
	}()

	// Sessions waiting for a command get "421 shutting down" at once; one
	// receiving a message saves it first, then gets the 421.
	mu.Lock()
	for s := range sessions {
		s.stop()
	}
	if n := len(sessions); n > 0 {
		cfg.log.Printf("stopping: waiting up to %v for %d sessions", cfg.grace, n)
	}
	mu.Unlock()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(cfg.grace):
		mu.Lock()
		cfg.log.Printf("stopping: cutting off %d sessions", len(sessions))
		for s := range sessions {
			_ = s.tcp.Close() // makes its read fail, which ends it
		}
		mu.Unlock()
		<-done
	}
	return err
}

// session is one client's conversation with the server.
type session struct {
	cfg    *config
	tcp    net.Conn      // the connection as accepted: deadlines go here
	conn   net.Conn      // what we read and write: tcp, or TLS over it
	r      *bufio.Reader // reads conn, a line at a time
	remote string        // the client's IP address

	helo   string   // the name the client gave in EHLO or HELO; "" before
	esmtp  bool     // it said EHLO, not HELO
	tls    bool     // STARTTLS has succeeded
	authed bool     // AUTH has succeeded
	inMail bool     // MAIL was accepted: a message is being sent
	from   string   // its envelope sender; "" for a bounce
	rcpts  []string // its envelope recipients

	// serve's shutdown shares these with the session's goroutine.
	mu       sync.Mutex
	idle     bool // waiting for the client's next line
	stopping bool // the server is shutting down
}

func newSession(conn net.Conn, cfg *config) *session {
	remote, _, err := net.SplitHostPort(conn.RemoteAddr().String())
	if err != nil {
		remote = conn.RemoteAddr().String() // not IP:port; show it as it is
	}
	return &session{cfg: cfg, tcp: conn, conn: conn,
		r: bufio.NewReader(conn), remote: remote}
}

// What ends a session, besides the connection failing.
var (
	errQuit         = errors.New("client quit")
	errShuttingDown = errors.New("server shutting down")
	errLineTooLong  = errors.New("line too long")
)

// serve holds the conversation: a greeting, then one reply per command
// until the client quits, goes quiet for too long, or the server stops. A
// bad command gets an error reply, and the session goes on.
func (s *session) serve() {
	err := s.converse()
	switch {
	case err == nil, errors.Is(err, errQuit), errors.Is(err, io.EOF):
	default:
		s.cfg.log.Printf("%s: %v", s.remote, err)
	}
}

func (s *session) converse() error {
	if err := s.reply(220, s.cfg.host+" ESMTP netprog mail sink"); err != nil {
		return err
	}
	for {
		line, err := s.readLine()
		if err == nil {
			err = s.command(line)
		}
		switch {
		case err == nil:
		case errors.Is(err, errShuttingDown):
			return s.reply(421, s.cfg.host+" shutting down")
		case errors.Is(err, os.ErrDeadlineExceeded):
			// The client may be gone: nothing to do if this fails.
			_ = s.reply(421, "idle for too long, closing the connection")
			return fmt.Errorf("idle for more than %v", s.cfg.timeout)
		case errors.Is(err, errLineTooLong):
			err = s.reply(500, fmt.Sprintf("line too long: at most %d bytes "+
				"with the CRLF", maxLine))
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// command answers one command line.
func (s *session) command(line string) error {
	verb, arg, err := parseCommand(line)
	if err != nil {
		return s.reply(501, err.Error())
	}
	switch verb {
	case "EHLO", "HELO":
		return s.hello(verb, arg)
	case "STARTTLS":
		return s.startTLS(arg)
	case "AUTH":
		return s.auth(arg)
	case "MAIL":
		return s.mail(arg)
	case "RCPT":
		return s.rcpt(arg)
	case "DATA":
		return s.data(arg)
	case "RSET":
		s.reset()
		return s.reply(250, "OK")
	case "NOOP":
		return s.reply(250, "OK")
	case "VRFY":
		return s.reply(252, "cannot check users, but will take the message")
	case "QUIT":
		if err := s.reply(221, s.cfg.host+" closing the connection"); err != nil {
			return err
		}
		return errQuit
	}
	return s.reply(500, "unknown command")
}

// reply sends one reply: a three-digit code and some text. The first digit
// says how it went: 2 done, 3 go on, 4 failed for now (try again later),
// 5 failed (do not try again as it is). A reply of several lines has a
// dash after the code on every line but the last, so the client knows
// when it has it all.
func (s *session) reply(code int, lines ...string) error {
	var b strings.Builder
	for i, line := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(&b, "%d%s%s\r\n", code, sep, line)
	}
	// A client that stops reading would block this write for ever.
	if err := s.tcp.SetWriteDeadline(time.Now().Add(s.cfg.timeout)); err != nil {
		return err
	}
	_, err := io.WriteString(s.conn, b.String())
	return err
}

// maxLine is the longest command line RFC 5321 allows, CRLF included.
const maxLine = 1000

// readLine waits up to the timeout for the client's next line: the idle
// bound. Ctrl-C wakes it at once: serve calls stop, which moves the
// deadline to now.
func (s *session) readLine() (string, error) {
	s.mu.Lock()
	s.idle = true
	err := s.tcp.SetReadDeadline(time.Now().Add(s.cfg.timeout))
	if s.stopping {
		err = errShuttingDown
	}
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	line, err := readLine(s.r)
	s.mu.Lock()
	s.idle = false
	if s.stopping {
		err = errShuttingDown // whatever came, the answer is 421
	}
	s.mu.Unlock()
	return line, err
}

// stop tells the session that the server is shutting down. If it is
// waiting for a command, its read fails at once; if it is receiving a
// message, it finishes that and finds out when it next waits.
func (s *session) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopping = true
	if s.idle {
		_ = s.tcp.SetReadDeadline(time.Now()) // fails only if closed: over anyway
	}
}

// readLine reads one line of at most maxLine bytes, CRLF included, and
// returns it without its line ending. RFC 5321 says CRLF, but a bare LF is
// accepted too, as most servers do. A longer line is read to its end and
// dropped, and readLine returns errLineTooLong: memory stays bounded, and
// the client can go on.
func readLine(r *bufio.Reader) (string, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		tooLong = tooLong || len(line)+len(chunk) > maxLine
		if !tooLong {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // the line goes on beyond the reader's buffer
		}
		if err != nil {
			return "", err
		}
		if tooLong {
			return "", errLineTooLong
		}
		s := strings.TrimSuffix(string(line), "\n")
		return strings.TrimSuffix(s, "\r"), nil
	}
}

// parseCommand splits a command line into its verb, in capitals, and the
// rest: "mail FROM:<a@b.example>" gives "MAIL" and "FROM:<a@b.example>".
// It refuses control characters: a bare CR in an address could otherwise
// end up in a saved header and start a header of the client's choosing.
func parseCommand(line string) (verb, arg string, err error) {
	if strings.ContainsFunc(line, unicode.IsControl) {
		return "", "", errors.New("control characters are not allowed in commands")
	}
	verb, arg, _ = strings.Cut(line, " ")
	return strings.ToUpper(verb), strings.TrimSpace(arg), nil
}

// parsePath parses the argument of MAIL or RCPT: the keyword FROM or TO, a
// colon, an address in angle brackets, and parameters such as SIZE=12345.
// The address may be empty ("<>", the sender of a bounce). size is 0 if
// the client did not say; other parameters (BODY=8BITMIME) are ignored.
func parsePath(arg, keyword string) (addr string, size int64, err error) {
	usage := fmt.Errorf("syntax: %s:<address>", keyword)
	k, rest, ok := strings.Cut(arg, ":")
	if !ok || !strings.EqualFold(k, keyword) {
		return "", 0, usage
	}
	rest = strings.TrimLeft(rest, " ") // some clients write "FROM: <a@b>"
	if !strings.HasPrefix(rest, "<") {
		return "", 0, usage
	}
	addr, params, ok := strings.Cut(rest[1:], ">")
	if !ok || params != "" && params[0] != ' ' {
		return "", 0, usage
	}
	if addr != "" {
		// net/mail knows what an address may hold. Comments, quoted
		// names and the like are refused: the envelope wants a bare
		// address.
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr {
			return "", 0, fmt.Errorf("<%s> is not an address like "+
				"<name@example.com>", addr)
		}
		// Addresses in other scripts need the SMTPUTF8 extension,
		// which this server does not offer (RFC 6531).
		if strings.ContainsFunc(addr, func(r rune) bool { return r > 0x7e }) {
			return "", 0, fmt.Errorf("<%s> is not ASCII, and this server "+
				"does not speak SMTPUTF8", addr)
		}
	}
	for _, p := range strings.Fields(params) {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(k, "SIZE") {
			size, err = strconv.ParseInt(v, 10, 64)
			if err != nil || size < 0 {
				return "", 0, fmt.Errorf("SIZE=%s is not a number of bytes", v)
			}
		}
	}
	return addr, size, nil
}

// reset forgets the message being sent, as RSET does.
func (s *session) reset() {
	s.inMail, s.from, s.rcpts = false, "", nil
}

// hello answers EHLO or HELO. To EHLO the server lists its extensions,
// one per line: the client uses only what is listed.
func (s *session) hello(verb, arg string) error {
	name, _, _ := strings.Cut(arg, " ")
	if !validName(name) {
		return s.reply(501, fmt.Sprintf("%s needs your host name, "+
			"e.g. %s client.example", verb, verb))
	}
	s.helo, s.esmtp = name, verb == "EHLO"
	s.reset()
	greeting := s.cfg.host + " greets " + name
	if !s.esmtp {
		return s.reply(250, greeting)
	}
	lines := []string{greeting,
		"PIPELINING", // the client may send commands without waiting
		fmt.Sprintf("SIZE %d", s.cfg.maxSize),
		"8BITMIME", // bytes over 127 pass through unchanged
	}
	if s.cfg.tls != nil && !s.tls {
		lines = append(lines, "STARTTLS")
	}
	if s.cfg.user != "" && (s.cfg.tls == nil || s.tls) {
		lines = append(lines, "AUTH PLAIN LOGIN")
	}
	return s.reply(250, lines...)
}

// validName reports whether name can be the client's name in EHLO: it goes
// into the Received header of every message, so it must be one word of
// printable ASCII.
func validName(name string) bool {
	if name == "" || len(name) > 255 {
		return false
	}
	for _, c := range []byte(name) {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// startTLS turns the connection into a TLS connection. After the 220
// reply, the bytes on the wire are TLS records: a handshake, then the same
// SMTP conversation, encrypted. Everything said before is forgotten, and
// the client starts again with EHLO (RFC 3207).
func (s *session) startTLS(arg string) error {
	switch {
	case s.cfg.tls == nil:
		return s.reply(502, "STARTTLS not offered (start the server with -tls)")
	case s.tls:
		return s.reply(503, "already using TLS")
	case arg != "":
		return s.reply(501, "STARTTLS takes no argument")
	}
	if err := s.reply(220, "ready to start TLS"); err != nil {
		return err
	}
	conn := tls.Server(s.tcp, s.cfg.tls)
	if err := s.tcp.SetDeadline(time.Now().Add(s.cfg.timeout)); err != nil {
		return err
	}
	if err := conn.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	// The new reader drops anything the client sent in plain text after
	// STARTTLS: an attacker in the middle could have added commands
	// there, to be run as if they came encrypted.
	s.conn, s.r = conn, bufio.NewReader(conn)
	s.tls, s.helo, s.authed = true, "", false
	s.reset()
	return nil
}

// SMTP authentication (RFC 4954) sends the user name and password in
// base64, which hides nothing: only TLS keeps them from eavesdroppers. So
// with -tls, AUTH waits for STARTTLS.
var (
	errAuthCancelled = errors.New("authentication cancelled")
	errAuthSyntax    = errors.New("bad AUTH syntax")
	errAuthFailed    = errors.New("bad user name or password")
)

// auth answers AUTH PLAIN and AUTH LOGIN.
func (s *session) auth(arg string) error {
	switch {
	case s.cfg.user == "":
		return s.reply(502, "AUTH not offered (start the server with -user)")
	case s.cfg.tls != nil && !s.tls:
		// RFC 4954 also has 538 for this; 530 is what clients
		// know from servers that require STARTTLS.
		return s.reply(530, "must issue a STARTTLS command first")
	case s.helo == "":
		return s.reply(503, "send EHLO first")
	case s.authed:
		return s.reply(503, "already authenticated")
	case s.inMail:
		return s.reply(503, "AUTH is not allowed while sending a message")
	}
	mechanism, initial, _ := strings.Cut(arg, " ")
	var user, password string
	var err error
	switch strings.ToUpper(mechanism) {
	case "PLAIN":
		user, password, err = s.authPlain(initial)
	case "LOGIN":
		user, password, err = s.authLogin(initial)
	default:
		return s.reply(504, "unknown mechanism: use PLAIN or LOGIN")
	}
	if err == nil && !s.cfg.valid(user, password) {
		err = errAuthFailed
	}
	switch {
	case err == nil:
		s.authed = true
		return s.reply(235, "authentication succeeded")
	case errors.Is(err, errAuthFailed):
		s.cfg.log.Printf("%s: AUTH failed for user %q", s.remote, user)
		return s.reply(535, "authentication failed: bad user name or password")
	case errors.Is(err, errAuthCancelled), errors.Is(err, errAuthSyntax):
		return s.reply(501, err.Error())
	}
	return err
}

// authPlain reads PLAIN credentials: base64 of "authzid NUL user NUL
// password", on the AUTH line or, if not there, after a "334 " prompt.
func (s *session) authPlain(initial string) (user, password string, err error) {
	if initial == "" {
		if err := s.reply(334, ""); err != nil {
			return "", "", err
		}
		if initial, err = s.readLine(); err != nil {
			return "", "", err
		}
	}
	b, err := decodeAuth(initial)
	if err != nil {
		return "", "", err
	}
	authz, rest, ok1 := strings.Cut(string(b), "\x00")
	user, password, ok2 := strings.Cut(rest, "\x00")
	if !ok1 || !ok2 {
		return "", "", fmt.Errorf("%w: want base64 of NUL user NUL password",
			errAuthSyntax)
	}
	if authz != "" && authz != user {
		return user, "", errAuthFailed // acting as someone else: not here
	}
	return user, password, nil
}

// authLogin reads LOGIN credentials: the server asks "Username:" and
// "Password:" (in base64), and the client answers each in base64. Some
// clients, Python's smtplib among them, send the user name on the AUTH line.
func (s *session) authLogin(initial string) (user, password string, err error) {
	ask := func(prompt string) ([]byte, error) {
		err := s.reply(334, base64.StdEncoding.EncodeToString([]byte(prompt)))
		if err != nil {
			return nil, err
		}
		line, err := s.readLine()
		if err != nil {
			return nil, err
		}
		return decodeAuth(line)
	}
	var u, p []byte
	if initial != "" {
		u, err = decodeAuth(initial)
	} else {
		u, err = ask("Username:")
	}
	if err != nil {
		return "", "", err
	}
	if p, err = ask("Password:"); err != nil {
		return "", "", err
	}
	return string(u), string(p), nil
}

// decodeAuth decodes one AUTH answer. "*" cancels; "=" is an empty answer.
func decodeAuth(s string) ([]byte, error) {
	switch s {
	case "*":
		return nil, errAuthCancelled
	case "=":
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", errAuthSyntax)
	}
	return b, nil
}

// valid reports whether user and password are the ones configured. The
// constant-time compare takes as long for a near miss as for a wild guess,
// so timing the replies tells an attacker nothing about the password.
func (cfg *config) valid(user, password string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(cfg.user))
	p := subtle.ConstantTimeCompare([]byte(password), []byte(cfg.password))
	return u&p == 1
}

// mail starts a message: MAIL FROM:<sender>.
func (s *session) mail(arg string) error {
	switch {
	case s.helo == "":
		return s.reply(503, "send EHLO first")
	case s.cfg.user != "" && s.cfg.tls != nil && !s.tls:
		return s.reply(530, "must issue a STARTTLS command first")
	case s.cfg.user != "" && !s.authed:
		return s.reply(530, "authentication required")
	case s.inMail:
		return s.reply(503, "already sending a message: send RSET to start again")
	}
	addr, size, err := parsePath(arg, "FROM")
	if err != nil {
		return s.reply(501, err.Error())
	}
	// SIZE= lets a client learn that a message is too big before
	// sending it, rather than after.
	if size > s.cfg.maxSize {
		return s.reply(552, fmt.Sprintf("a message of %d bytes is more than "+
			"the %d this server takes", size, s.cfg.maxSize))
	}
	s.inMail, s.from, s.rcpts = true, addr, nil
	return s.reply(250, "OK")
}

// rcpt adds a recipient: RCPT TO:<recipient>.
func (s *session) rcpt(arg string) error {
	if !s.inMail {
		return s.reply(503, "send MAIL first")
	}
	addr, _, err := parsePath(arg, "TO")
	if err != nil {
		return s.reply(501, err.Error())
	}
	if addr == "" {
		return s.reply(501, "RCPT needs an address, "+
			"e.g. RCPT TO:<name@example.com>")
	}
	// 452 starts with 4: a client sends the message to the ones
	// accepted, then tries the others again in a new message.
	if len(s.rcpts) >= s.cfg.maxRcpt {
		return s.reply(452, fmt.Sprintf("too many recipients: at most %d "+
			"per message", s.cfg.maxRcpt))
	}
	s.rcpts = append(s.rcpts, addr)
	return s.reply(250, "OK")
}

var errTooBig = errors.New("message too big")

// data receives the message itself and saves it. The message is written
// to a temporary file while it arrives, and only when it is whole and on
// disk does the client hear 250. From then on the client forgets the
// message, so the server must not lose it, even if it stops the moment
// after.
func (s *session) data(arg string) error {
	switch {
	case arg != "":
		return s.reply(501, "DATA takes no argument")
	case !s.inMail:
		return s.reply(503, "send MAIL first")
	case len(s.rcpts) == 0:
		return s.reply(503, "send RCPT first")
	}
	from, rcpts := s.from, s.rcpts
	s.reset() // whatever happens next, this message is done

	// The name is the time it arrived, to the microsecond, and some
	// random letters so that two messages in the same microsecond
	// differ.
	name := time.Now().Format("20060102-150405.000000") + "-" +
		rand.Text()[:10] + ".eml"
	var lost error // the connection failed: the session is over
	err := saveAtomic(s.cfg.mailbox, name, func(f io.Writer) error {
		if lost = s.reply(354, "end data with <CR><LF>.<CR><LF>"); lost != nil {
			return lost
		}
		w := bufio.NewWriterSize(f, 64<<10)
		// Trace headers say who sent it and how it came. The
		// bufio.Writer keeps the first error and Flush reports it.
		_, _ = fmt.Fprintf(w, "Return-Path: <%s>\r\n", from)
		_, _ = fmt.Fprintf(w, "Received: from %s (%s) by netprog-sink "+
			"with %s; %s\r\n", s.helo, s.remote, s.protocol(),
			time.Now().Format(time.RFC1123Z))
		msg := &capWriter{w: w, max: s.cfg.maxSize}
		if lost = s.readData(msg); lost != nil {
			return lost
		}
		if msg.err != nil {
			return msg.err
		}
		return w.Flush()
	})
	switch {
	case lost != nil:
		return lost
	case errors.Is(err, errTooBig):
		return s.reply(552, fmt.Sprintf("message too big: at most %d bytes; "+
			"not saved", s.cfg.maxSize))
	case err != nil:
		s.cfg.log.Printf("%s: save a message: %v", s.remote, err)
		return s.reply(451, "could not save the message: try again later")
	}
	if err := s.reply(250, "saved as "+name); err != nil {
		return err
	}
	s.cfg.report.Print(s.summary(name, from, rcpts))
	return nil
}

// protocol names how a message came, for its Received header (RFC 3848):
// ESMTP, plus S with TLS, plus A with AUTH.
func (s *session) protocol() string {
	if !s.esmtp {
		return "SMTP"
	}
	p := "ESMTP"
	if s.tls {
		p += "S"
	}
	if s.authed {
		p += "A"
	}
	return p
}

// readData copies the message that follows DATA to w, up to the line that
// holds only a dot. A line of the message that starts with a dot was sent
// with a second dot in front (dot-stuffing), so that it cannot end the
// message early; readData takes it off again. Lines are copied as they
// came, however long: capWriter bounds the total, and the whole message
// must arrive within ten times the idle timeout.
//
// Only CRLF "." CRLF ends a message. A bare LF is taken as a line end in
// the data (and saved as CRLF), but never as part of the end: if one
// server took LF "." CRLF as the end and another did not, a client could
// hide a second message, with another sender, inside the first ("SMTP
// smuggling").
func (s *session) readData(w io.Writer) error {
	lineStart, afterCRLF := true, true // the DATA line ended in CRLF
	deadline := time.Now().Add(10 * s.cfg.timeout)
	for {
		// Each line gets the idle timeout, so a large message on
		// a slow link arrives, and a client gone quiet is cut off;
		// the deadline above stops one that never ends.
		next := time.Now().Add(s.cfg.timeout)
		if next.After(deadline) {
			next = deadline
		}
		if err := s.tcp.SetReadDeadline(next); err != nil {
			return err
		}
		chunk, err := s.r.ReadSlice('\n')
		if errors.Is(err, io.EOF) {
			return errors.New("connection closed in the middle of a message")
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
		if lineStart {
			if afterCRLF && string(chunk) == ".\r\n" {
				return nil
			}
			if chunk[0] == '.' {
				chunk = chunk[1:]
			}
		}
		lineStart = bytes.HasSuffix(chunk, []byte("\n"))
		if lineStart {
			afterCRLF = bytes.HasSuffix(chunk, []byte("\r\n"))
			if !afterCRLF {
				// Saved with CRLF, like every other line. The
				// full slice expression makes append copy, not
				// write into the reader's buffer.
				chunk = append(chunk[:len(chunk)-1:len(chunk)-1], '\r', '\n')
			}
		}
		_, _ = w.Write(chunk) // capWriter keeps its error for later
	}
}

// capWriter writes to w until more than max bytes have come, or a write
// fails. From then on it only counts and keeps the error: the session
// still reads the message to its end, to stay in step with the client.
type capWriter struct {
	w   io.Writer
	n   int64
	max int64
	err error
}

func (c *capWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.err == nil && c.n > c.max {
		c.err = errTooBig
	}
	if c.err == nil {
		_, c.err = c.w.Write(p)
	}
	return len(p), nil
}

// saveAtomic creates a temporary file in root, lets write fill it, and
// renames it to name only if everything succeeded. A rename within one
// folder is atomic: name holds the whole file or does not exist. Sync
// puts the bytes on disk before the rename makes them visible. On failure
// the temporary file is removed.
func saveAtomic(root *os.Root, name string, write func(io.Writer) error) error {
	tmp := ".receiving-" + rand.Text() + ".part"
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create a temporary file: %w", err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		if err = root.Rename(tmp, name); err != nil {
			err = fmt.Errorf("save as %q: %w", name, err)
		}
	}
	if err != nil {
		_ = root.Remove(tmp) // best effort: the error that matters is err
		return err
	}
	// The rename itself is on disk once the folder is synced. Unix
	// can sync a folder; Windows cannot, and makes its renames durable
	// by itself: the error there is expected and changes nothing.
	if dir, err := root.Open("."); err == nil {
		_ = dir.Sync()
		_ = dir.Close() // opened for reading: nothing to lose
	}
	return nil
}

// summary makes the line printed for a saved message, e.g.
//
//	from a@example.com to b@example.com: "Hi" (attachments: a.txt 12 B)
//	saved mailbox/20261125-135501.123456-X5VNGZQ2KA.eml
//
// all on one line.
func (s *session) summary(name, from string, rcpts []string) string {
	if from == "" {
		from = "<>"
	}
	var what string
	if f, err := s.cfg.mailbox.Open(name); err != nil {
		what = fmt.Sprintf("(not readable: %v)", err)
	} else {
		what = describe(f)
		_ = f.Close() // only read from
	}
	return fmt.Sprintf("from %s to %s: %s saved %s", safe(from),
		safe(strings.Join(rcpts, ", ")), what, filepath.Join(s.cfg.dir, name))
}

// describe reads a message and returns its subject, quoted, and its
// attachments with their sizes; or why it cannot be read. A message is
// headers, a blank line, and a body (RFC 5322); MIME (RFC 2045-2049) adds
// bodies made of parts, each with headers of its own, and encodings that
// carry any bytes as ASCII text.
func describe(r io.Reader) string {
	msg, err := mail.ReadMessage(bufio.NewReader(r))
	if err != nil {
		return fmt.Sprintf("(not parseable: %v)", err)
	}
	// Headers are ASCII; other text comes as "encoded words" such as
	// =?utf-8?b?...?= (RFC 2047). A charset Go does not know stays
	// encoded.
	subject := msg.Header.Get("Subject")
	var dec mime.WordDecoder
	if s, err := dec.DecodeHeader(subject); err == nil {
		subject = s
	}
	var files []string
	err = attachments(textproto.MIMEHeader(msg.Header), msg.Body, 0, &files)
	if err != nil {
		return fmt.Sprintf("%q (not parseable: %v)", subject, err)
	}
	if len(files) == 0 {
		return strconv.Quote(subject)
	}
	return fmt.Sprintf("%q (attachments: %s)", subject, strings.Join(files, ", "))
}

// maxDepth bounds how deeply describe follows parts within parts.
const maxDepth = 10

// attachments appends to files the name and size of each attachment in a
// part with header h and body body, following the parts of a multipart
// body down to maxDepth.
func attachments(h textproto.MIMEHeader, body io.Reader, depth int,
	files *[]string) error {
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err == nil && strings.HasPrefix(mediaType, "multipart/") {
		if depth == maxDepth {
			return errors.New("parts nested too deeply")
		}
		parts := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart leaves the encoding to us: we decode
			// only the attachments, to count their bytes.
			part, err := parts.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := attachments(part.Header, part, depth+1, files); err != nil {
				return err
			}
		}
	}
	name, ok := attachmentName(h.Get("Content-Disposition"))
	if !ok {
		return nil // a part shown in the message: not an attachment
	}
	var data io.Reader = body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		data = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		data = quotedprintable.NewReader(body)
	}
	n, err := io.Copy(io.Discard, data)
	if err != nil {
		return fmt.Errorf("attachment %q: %w", name, err)
	}
	*files = append(*files, safe(name)+" "+formatSize(n))
	return nil
}

// attachmentName reads a Content-Disposition header such as
// `attachment; filename="a.txt"`. mime.ParseMediaType also decodes the
// RFC 2231 form for names that are not ASCII, filename*=utf-8”%E6%9C%AC.
func attachmentName(header string) (name string, ok bool) {
	var dec mime.WordDecoder
	// Python's email package encodes the whole header as one encoded
	// word when the name is not ASCII: decode it first.
	if s, err := dec.DecodeHeader(header); err == nil {
		header = s
	}
	disposition, params, err := mime.ParseMediaType(header)
	if disposition != "attachment" {
		return "", false
	}
	name = params["filename"]
	if errors.Is(err, mime.ErrInvalidMediaParameter) {
		// And then the name is not in quotes, which MIME does not
		// allow for non-ASCII: take what follows "filename=".
		_, after, _ := strings.Cut(header, "filename=")
		name, _, _ = strings.Cut(after, ";")
		name = strings.Trim(name, `" `)
	}
	// Some mail programs put encoded words inside the quotes.
	if s, err := dec.DecodeHeader(name); err == nil {
		name = s
	}
	if name == "" {
		name = "(no name)"
	}
	return name, true
}

// formatSize writes n bytes as mail programs show sizes: 12 B, 5.1 KB.
func formatSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// safe returns s as it is if it is printable, and quoted with escapes if
// not: a name that comes from the network must not send control
// characters to the terminal.
func safe(s string) string {
	if q := strconv.Quote(s); q[1:len(q)-1] != s {
		return q
	}
	return s
}
