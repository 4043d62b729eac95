// Command server is a local stand-in for the SMS gateway the tutorial
// calls in its section "send messages" (106.ihuyi.com): an HTTP server that
// takes POST /webservice/sms.php?method=Submit with a form (account,
// password, mobile, content), checks it the way the real gateway does, and
// answers with the real gateway's codes in JSON or XML.
//
// Instead of sending a text message, it "delivers" each one it accepts by
// printing it on stdout, the middle of the number hidden and the text in
// Go's quoted form, so the chapter runs with no account, no phone and no
// internet connection.
//
//	go run ./05-sms/server
//	go run ./05-sms/client -mobile 13812345678
//
// The API key comes from the environment, never a flag (default demo-key):
//
//	SMS_APIKEY=my-test-key go run ./05-sms/server -account C12345678
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
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

// run reads the command line into a config, then listens and runs the
// gateway until ctx is canceled. Delivered messages go to stdout, the log
// to stderr.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is what was asked for
	}
	if err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, stdout, log.New(stderr, "", log.LstdFlags))
}

// config is what the command line and the environment ask for.
type config struct {
	addr     string
	account  string
	maxConns int
	verbose  bool
	key      string // the API key: a secret, never printed
	keyFrom  string // where the key came from, to say so in the log
}

// parseFlags reads the command line and the environment into a config.
// A mistake is errUsage, once it is printed on stderr with the usage; -h
// is flag.ErrHelp.
func parseFlags(args []string, getenv func(string) string,
	stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] "+
			"[-account ID] [-max-conns N] [-v]\nThe API key comes from the "+
			"environment variable SMS_APIKEY (default demo-key).")
		fs.PrintDefaults()
	}
	var cfg config
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on "+
		"(0.0.0.0:8080 to let other machines in; the gateway answers "+
		"them code 400)")
	fs.StringVar(&cfg.account, "account", "demo", "the API ID the gateway accepts")
	fs.IntVar(&cfg.maxConns, "max-conns", 256, "the most connections open "+
		"at once; more wait in the system's queue")
	fs.BoolVar(&cfg.verbose, "v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	var problem string
	switch _, _, err := net.SplitHostPort(cfg.addr); {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case err != nil:
		problem = fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", cfg.addr)
	case cfg.account == "":
		problem = "-account must not be empty"
	case cfg.maxConns < 1:
		problem = "-max-conns must be 1 or more"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return cfg, errUsage
	}
	// The key is a secret: it comes from the environment and is never
	// printed, unless it is the well-known demo key.
	cfg.key, cfg.keyFrom = getenv("SMS_APIKEY"), "from SMS_APIKEY"
	if cfg.key == "" {
		cfg.key, cfg.keyFrom = "demo-key", "demo-key, as SMS_APIKEY is unset"
	}
	return cfg, nil
}

// listenAndServe listens as cfg says, prints the listening line, and runs
// the gateway until ctx is canceled.
func listenAndServe(ctx context.Context, cfg config, stdout io.Writer,
	logger *log.Logger) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return explainListen(err, cfg.addr)
	}
	logger.Printf("listening on %s (account %s, key %s)",
		ln.Addr(), cfg.account, cfg.keyFrom)
	h := newGateway(cfg.account, cfg.key, stdout, logger).handler()
	if cfg.verbose { // print every exchange, the password hidden
		h = tapHandler(h, log.New(logger.Writer(), "", 0), "password")
	}
	if err := serve(ctx, ln, newServer(h, logger), cfg.maxConns); err != nil {
		return err
	}
	logger.Print("stopped")
	return nil
}

// newServer returns an http.Server for h that logs its own errors (such
// as a failed Accept) to logger. Every phase of a request has a bound, so
// a client that sends its headers or reads the answer one byte a minute
// cannot hold a connection forever. Each connection is a slot: an open
// file, a goroutine and its buffers; limit.go bounds how many there are.
func newServer(h http.Handler, logger *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          logger,
	}
}
