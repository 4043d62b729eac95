package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
	"unicode/utf8"
)

// config is what run does: the flags, the message, and how to send it.
type config struct {
	flags
	m *message
	s *sender
}

// flags is the command line as given.
type flags struct {
	server, from, subject, body, bodyFile string
	to, cc, bcc, attach                   []string
	user, tlsMode, caFile                 string
	timeout                               time.Duration
	dryRun, verbose                       bool
}

// parseFlags reads the command line into a config, checked before a byte
// goes on the wire. On a mistake it prints what was wrong and the usage,
// and returns errUsage; -h gives flag.ErrHelp.
func parseFlags(args []string, getenv func(string) string,
	stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client -to ADDR [-cc ADDR] [-bcc ADDR] "+
			"[-subject S] [-body TEXT | -body-file FILE] [-attach FILE]...\n"+
			"              [-server HOST:PORT] [-from ADDR] [-user NAME] "+
			"[-tls starttls|implicit|none] [-ca FILE]\n"+
			"              [-timeout D] [-dry-run] [-v]\n"+
			"With -user, the password comes from the environment variable "+
			"SMTP_PASSWORD.")
		fs.PrintDefaults()
	}
	var f flags
	fs.StringVar(&f.server, "server", "127.0.0.1:1025",
		"address of the SMTP server, HOST:PORT")
	fs.StringVar(&f.from, "from", "Netprog Sender <sender@example.com>", "the sender")
	list := func(l *[]string, name, usage string) { // may be repeated
		fs.Func(name, usage, func(v string) error { *l = append(*l, v); return nil })
	}
	list(&f.to, "to", "recipients, `ADDR`[,ADDR...]; the flag may be repeated")
	list(&f.cc, "cc", "copy recipients, `ADDR`[,ADDR...], shown to all")
	list(&f.bcc, "bcc", "blind copy recipients, `ADDR`[,ADDR...]: in the "+
		"envelope only, never in a header")
	fs.StringVar(&f.subject, "subject", "A message from netprog", "the subject")
	fs.StringVar(&f.body, "body", "", "the text of the message")
	fs.StringVar(&f.bodyFile, "body-file", "", "a UTF-8 text file to use as the text")
	list(&f.attach, "attach", "a `FILE` to attach; may be repeated")
	fs.StringVar(&f.user, "user", "", "log in as `NAME` (the password comes from SMTP_PASSWORD)")
	fs.StringVar(&f.tlsMode, "tls", "starttls", "starttls (upgrade when the server "+
		"offers it), implicit (TLS from the start, port 465) or none")
	fs.StringVar(&f.caFile, "ca", "", "a PEM `FILE` of certificates to trust "+
		"besides the system's, e.g. the local server's")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "how long the whole "+
		"exchange may take, waiting in a busy server's queue included")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the message instead of sending it")
	fs.BoolVar(&f.verbose, "v", false, "print the conversation on stderr: "+
		"what each side sends")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage
	}
	cfg, problem := f.check(fs.Args(), getenv("SMTP_PASSWORD"))
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return nil, errUsage
	}
	cfg.s.log = stderr
	return cfg, f.load(cfg)
}

// check makes a config from the flags, or says what is wrong with them.
func (f *flags) check(args []string, password string) (*config, string) {
	m, err := f.message()
	host, _, hostErr := net.SplitHostPort(f.server)
	switch {
	case err != nil:
		return nil, err.Error()
	case len(args) > 0:
		return nil, fmt.Sprintf("unexpected argument %q", args[0])
	case f.body != "" && f.bodyFile != "":
		return nil, "give -body or -body-file, not both"
	case f.tlsMode != "starttls" && f.tlsMode != "implicit" && f.tlsMode != "none":
		return nil, fmt.Sprintf("-tls must be starttls, implicit or none, not %q",
			f.tlsMode)
	case f.timeout <= 0:
		return nil, "-timeout must be more than 0"
	case hostErr != nil:
		return nil, fmt.Sprintf("-server %q: want HOST:PORT, e.g. 127.0.0.1:1025",
			f.server)
	case f.user != "" && password == "":
		return nil, "-user needs the password in the environment variable " +
			"SMTP_PASSWORD"
	}
	s := &sender{server: f.server, tlsMode: f.tlsMode,
		tlsConfig: &tls.Config{ServerName: host}, user: f.user,
		password: password, dial: (&net.Dialer{}).DialContext,
		secrets: credentials(f.user, password)}
	return &config{flags: *f, m: m, s: s}, ""
}

// load reads the files the flags name: the text, the certificates to
// trust, and the attachments (only checked: they are read as sent).
func (f *flags) load(cfg *config) error {
	if f.bodyFile != "" {
		text, err := os.ReadFile(f.bodyFile)
		if err != nil {
			return fmt.Errorf("-body-file: %w", err)
		}
		if !utf8.Valid(text) {
			return fmt.Errorf("-body-file %s is not UTF-8 text", f.bodyFile)
		}
		cfg.m.body = string(text)
	}
	for _, path := range cfg.m.attach {
		info, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("-attach: %w", err)
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("-attach %s: not a regular file", path)
		}
	}
	if f.caFile == "" || f.dryRun {
		return nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool() // none on this system: -ca alone
	}
	pem, err := os.ReadFile(f.caFile)
	if err != nil {
		return fmt.Errorf("-ca: %w", err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("-ca %s: no PEM certificate in it", f.caFile)
	}
	cfg.s.tlsConfig.RootCAs = pool
	return nil
}
