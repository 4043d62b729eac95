// Command server is a local stand-in for the SMS gateway the tutorial
// calls in its section "send messages" (106.ihuyi.com): an HTTP server that
// takes POST /webservice/sms.php?method=Submit with a form (account,
// password, mobile, content), checks it the way the real gateway does, and
// answers with the real gateway's codes in JSON or XML.
//
// Instead of sending a text message, it "delivers" each one it accepts by
// printing it on stdout, with the middle of the number hidden (and the
// text quoted if it holds control characters, cut after 200 bytes), so
// the chapter runs with no account, no phone and no internet connection.
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

// run reads the command line into a config (flags.go), then listens and
// runs the gateway until ctx is canceled. Delivered messages go to
// stdout, the log to stderr.
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
	g := newGateway(cfg.account, cfg.key, time.Now, stdout, logger)
	h := g.handler()
	if cfg.verbose { // print every exchange, the password hidden
		h = tapHandler(h, log.New(logger.Writer(), "", 0), "password")
	}
	// The bound on a body goes outside -v's handler too: after a 413,
	// http.MaxBytesReader has net/http close the connection only when it
	// is given the server's own ResponseWriter, not -v's wrapper of it.
	h = http.MaxBytesHandler(h, maxBody)
	if err := serve(ctx, ln, h, cfg.maxConns, logger); err != nil {
		return err
	}
	logger.Print("stopped")
	return nil
}
