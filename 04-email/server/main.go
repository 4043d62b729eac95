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
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"
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
