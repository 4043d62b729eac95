package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// config is how the server treats every session, and the sessions in
// progress, for shutdown.
type config struct {
	addr          string                  // where to listen, HOST:PORT
	dir           string                  // the -out folder as given
	mailbox       *os.Root                // the -out folder: every file goes through it
	useTLS        bool                    // -tls
	tlsConfig     *tls.Config             // nil without -tls
	verbose       bool                    // -v
	wrap          func(net.Conn) net.Conn // -v's wrapper for each conn, or nil
	host          string                  // our name in the greeting
	user          string                  // "" unless -user: then AUTH is required
	password      string                  // from SMTP_PASSWORD; never printed
	maxSize       int64                   // largest message, in bytes
	maxRcpt       int                     // most recipients per message
	maxSessions   int                     // most sessions at once
	timeout       time.Duration           // bound on each command, line and reply
	stressTimeout time.Duration           // the same under stress (see serve)
	log           *log.Logger             // progress, to stderr
	report        *log.Logger             // a line for each message, to stdout

	mu       sync.Mutex
	sessions map[*session]bool
	wg       sync.WaitGroup
}

const (
	// stressTimeout is how long a session may do no work under stress
	// (see serve); Postfix takes 10 seconds.
	stressTimeout = 5 * time.Second
	// authDelay is how long a failed AUTH waits for its answer, as
	// Dovecot's does: a password guesser gets a try every two seconds
	// on a connection, not thousands a second.
	authDelay = 2 * time.Second
	grace     = 10 * time.Second // how long Ctrl-C waits for messages in hand
)

// parseFlags reads the command line into a config. On a mistake it prints
// what was wrong and the usage, and returns errUsage; -h gives
// flag.ErrHelp.
func parseFlags(args []string, getenv func(string) string,
	stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] [-out DIR] "+
			"[-tls] [-user NAME] [-max-size SIZE] [-max-rcpt N]\n"+
			"              [-max-sessions N] [-timeout D] [-v]\n"+
			"With -user, the password comes from the environment "+
			"variable SMTP_PASSWORD.")
		fs.PrintDefaults()
	}
	cfg := &config{}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:1025",
		"address to listen on (0.0.0.0:1025 to let other machines in)")
	fs.StringVar(&cfg.dir, "out", "mailbox",
		"folder to save the messages in (made if missing)")
	fs.BoolVar(&cfg.useTLS, "tls", false, "offer STARTTLS, with a certificate "+
		"made at start-up and saved as OUT/server-cert.pem")
	fs.StringVar(&cfg.user, "user", "", "require AUTH as this user "+
		"(the password comes from SMTP_PASSWORD)")
	maxSize := byteSize(25 << 20)
	fs.Var(&maxSize, "max-size", "largest message to accept: a `size` in "+
		"bytes, or with KiB, MiB or GiB")
	fs.IntVar(&cfg.maxRcpt, "max-rcpt", 100, "most recipients per message")
	fs.IntVar(&cfg.maxSessions, "max-sessions", 100, "most sessions at once; "+
		"more clients wait their turn")
	fs.DurationVar(&cfg.timeout, "timeout", 60*time.Second,
		"how long a client may take to send one command or message line")
	fs.BoolVar(&cfg.verbose, "v", false, "print the conversation on stderr: "+
		"what each side sends")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage
	}
	cfg.maxSize, cfg.stressTimeout = int64(maxSize), min(stressTimeout, cfg.timeout)
	if cfg.user != "" {
		cfg.password = getenv("SMTP_PASSWORD") // else never used
	}
	if problem := cfg.check(fs.Args()); problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return nil, errUsage
	}
	return cfg, nil
}

// check says what is wrong with the flags, or returns "".
func (cfg *config) check(args []string) string {
	_, _, err := net.SplitHostPort(cfg.addr)
	switch {
	case len(args) > 0:
		return fmt.Sprintf("unexpected argument %q", args[0])
	case err != nil:
		return fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:1025",
			cfg.addr)
	case cfg.dir == "":
		return "-out must name a folder"
	case cfg.user != "" && cfg.password == "":
		return "-user needs a password: set the environment variable " +
			"SMTP_PASSWORD"
	case cfg.maxRcpt < 1:
		return "-max-rcpt must be 1 or more"
	case cfg.maxSessions < 1:
		return "-max-sessions must be 1 or more"
	case cfg.timeout <= 0:
		return "-timeout must be more than 0"
	}
	return ""
}

// open gets everything ready to serve: the logs, the -out folder (made if
// missing, and cleared of what a killed copy left there), our name, and
// with -tls a certificate.
func (cfg *config) open(stdout, stderr io.Writer) error {
	cfg.log = log.New(stderr, "", log.LstdFlags)
	cfg.report = log.New(stdout, "", 0)
	if cfg.verbose {
		// -v wraps each connection where the session makes it (tap.go):
		// as accepted, and again inside TLS, to show the text there.
		v := log.New(stderr, "", 0)
		cfg.wrap = func(conn net.Conn) net.Conn { return tapServer(conn, v) }
	}
	// Every file goes through an os.Root, which refuses any path that
	// would lead out of the folder.
	root, msg, err := openFolder(cfg.dir)
	if err != nil {
		return err
	}
	cfg.mailbox = root
	if msg != "" {
		cfg.log.Print(msg)
	}
	cfg.host, err = os.Hostname()
	if err != nil || cfg.host == "" {
		cfg.host = "localhost" // only a name in the greeting
	}
	if cfg.useTLS {
		if cfg.tlsConfig, err = makeTLS(root); err != nil {
			_ = root.Close() // nothing was written through it
			return err
		}
		cfg.log.Printf("TLS certificate saved as %s (clients can trust it "+
			"with -ca)", filepath.Join(cfg.dir, certFile))
	}
	return nil
}
