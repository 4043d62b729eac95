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
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
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
