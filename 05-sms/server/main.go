// Command server is a local stand-in for the SMS gateway the tutorial
// calls in "send messages" (106.ihuyi.com): it takes POST
// /webservice/sms.php?method=Submit with a form, checks it as the real
// gateway does, answers with the real gateway's codes in JSON or XML, and
// "delivers" each message it accepts by printing it on stdout (the middle
// of the number hidden, the text quoted): no account, no phone, no
// internet connection needed.
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

// errUsage: the flag package has printed the mistake; main exits 2.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After a first Ctrl-C, a second one ends the program at once.
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

// run reads the command line, listens, and runs the gateway until ctx is
// canceled: delivered messages on stdout, the log on stderr.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is what was asked for
	}
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return explainListen(err, cfg.addr)
	}
	logger := log.New(stderr, "", log.LstdFlags)
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

type config struct {
	addr, account string
	maxConns      int
	verbose       bool
	key           string // the API key: a secret, never printed
	keyFrom       string // where the key came from, for the log
}

// parseFlags reads the command line and the environment into a config.
// A mistake is errUsage, once printed on stderr with the usage; -h is
// flag.ErrHelp.
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
	cfg.key, cfg.keyFrom = getenv("SMS_APIKEY"), "from SMS_APIKEY"
	if cfg.key == "" { // the well-known demo key is no secret
		cfg.key, cfg.keyFrom = "demo-key", "demo-key, as SMS_APIKEY is unset"
	}
	return cfg, nil
}

// newServer returns an http.Server for h that logs its errors to logger.
// Every phase of a request has a bound, so a client that sends or reads
// a byte a minute cannot hold a connection (a slot, limit.go) forever.
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
