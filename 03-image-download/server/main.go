// Command server is a local stand-in for the picture API the tutorial
// calls in its section "requests library" (api.tianapi.com/meinv/). It
// answers GET /meinv/?key=K&num=N like the real API, error codes
// included, and serves the pictures, which it draws itself: the
// downloader can be tried with no account, key or internet connection.
//
//	go run ./03-image-download/server
//	go run ./03-image-download/client
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const (
	maxPictures = 100              // the most pictures -count may ask for
	maxDelay    = 10 * time.Second // the longest -delay
)

// errUsage is a bad command line, which the flag package has printed.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second Ctrl-C ends it at once
	switch err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run reads the command line into a config, then serves until Ctrl-C.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, log.New(stderr, "", log.LstdFlags))
}

// listenAndServe draws the pictures, listens on cfg.addr and serves the
// API there until ctx is canceled.
func listenAndServe(ctx context.Context, cfg config, logger *log.Logger) error {
	pictures, err := drawPictures(cfg.count)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return explainListen(err, cfg.addr)
	}
	hint := "with the key given by -key"
	if cfg.key == "demo" {
		hint = fmt.Sprintf("try curl 'http://%s/meinv/?key=demo&num=2'", ln.Addr())
	}
	logger.Printf("listening on %s (%s)", ln.Addr(), hint)
	api := &api{key: cfg.key, pictures: pictures, delay: cfg.delay, log: logger}
	h := api.handler()
	if cfg.verbose { // print every exchange, the key hidden
		h = tapHandler(h, log.New(logger.Writer(), "", 0), "key")
	}
	if err := serve(ctx, ln, newServer(h, logger), cfg.maxConns); err != nil {
		return err
	}
	logger.Print("stopped")
	return nil
}

// config is what the flags say.
type config struct {
	addr, key       string
	count, maxConns int
	delay           time.Duration
	verbose         bool
}

// parseFlags reads the command line into a config, or returns
// flag.ErrHelp for -h, errUsage (once it has printed why) if bad.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] [-key KEY] "+
			"[-count N] [-delay D] [-max-conns N] [-v]")
		fs.PrintDefaults()
	}
	var cfg config
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8000",
		"address to listen on (0.0.0.0:8000 to let other machines in)")
	fs.StringVar(&cfg.key, "key", "demo",
		"the API key the server accepts (a test key, not a secret)")
	fs.IntVar(&cfg.count, "count", 20,
		"how many pictures the server has (1 to 100)")
	fs.DurationVar(&cfg.delay, "delay", 0, "how long each picture takes to "+
		"send, up to 10s, to see concurrency pay off (e.g. 100ms; default 0)")
	fs.IntVar(&cfg.maxConns, "max-conns", 256, "the most connections open "+
		"at once; more wait in the system's queue")
	fs.BoolVar(&cfg.verbose, "v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, errUsage
	}
	if problem := cfg.check(fs.Args()); problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return config{}, errUsage
	}
	return cfg, nil
}

// check returns what is wrong with cfg and the arguments left after the
// flags, or "".
func (cfg config) check(rest []string) string {
	_, _, addrErr := net.SplitHostPort(cfg.addr)
	switch {
	case len(rest) > 0:
		return fmt.Sprintf("unexpected argument %q", rest[0])
	case addrErr != nil:
		return fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:8000", cfg.addr)
	case cfg.key == "":
		return "-key must not be empty"
	case cfg.count < 1 || cfg.count > maxPictures:
		return fmt.Sprintf("-count must be from 1 to %d", maxPictures)
	case cfg.delay < 0 || cfg.delay > maxDelay:
		return fmt.Sprintf("-delay must be from 0 to %v", maxDelay)
	case cfg.maxConns < 1:
		return "-max-conns must be 1 or more"
	}
	return ""
}
