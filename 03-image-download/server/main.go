// Command server is a local stand-in for the picture API the tutorial
// calls in its section "requests library" (api.tianapi.com/meinv/): an
// HTTP server that answers GET /meinv/?key=K&num=N with JSON listing N
// picture links, and serves the pictures, which it draws itself.
//
// It answers like the real API, error codes included, so the downloader
// can be tried and tested with no account, key or internet connection.
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
	maxPictures    = 100 // the most pictures -count may ask for
	shutdownBudget = 5 * time.Second
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
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] [-key KEY] "+
			"[-count N] [-delay D]")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8000",
		"address to listen on (0.0.0.0:8000 to let other machines in)")
	key := fs.String("key", "demo",
		"the API key the server accepts (a test key, not a secret)")
	count := fs.Int("count", 20, "how many pictures the server has (1 to 100)")
	delay := fs.Duration("delay", 0, "how long each picture takes to send, "+
		"up to 10s, to see concurrency pay off (e.g. 100ms; default 0)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case *key == "":
		problem = "-key must not be empty"
	case *count < 1 || *count > maxPictures:
		problem = fmt.Sprintf("-count must be from 1 to %d", maxPictures)
	case *delay < 0 || *delay > 10*time.Second:
		problem = "-delay must be from 0 to 10s"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return errUsage
	}

	pictures, err := drawPictures(*count)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return explainListen(err, *addr)
	}
	logger := log.New(stderr, "", log.LstdFlags)
	if *key == "demo" {
		logger.Printf("listening on %s (try curl 'http://%s/meinv/?key=demo&num=2')",
			ln.Addr(), ln.Addr())
	} else {
		logger.Printf("listening on %s (with the key given by -key)", ln.Addr())
	}
	api := &api{key: *key, pictures: pictures, delay: *delay, log: logger}
	if err := serve(ctx, ln, api.handler()); err != nil {
		return err
	}
	logger.Print("stopped")
	return nil
}
