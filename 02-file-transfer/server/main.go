// Command server sends one file to every client that connects, then
// closes the connection: as the tutorial's one JSON object, {"filename":
// ..., "filedata": <base64>} (-proto json, the default), or as a header
// line {"filename":...,"size":N,"sha256":...} followed by the file's N
// bytes as they are (-proto stream). It is the Go version of the
// multithreaded file server in the tutorial's section "TCP sockets", with
// a goroutine per client. Without -file it sends the tutorial's picture.
//
//	go run ./02-file-transfer/server
//	go run ./02-file-transfer/client -out received
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

// errUsage reports a bad command line; the flag package has said why.
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
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is all that was asked for
	}
	if err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, log.New(stderr, "", log.LstdFlags))
}

// config is what the command line asks for.
type config struct {
	addr, path, proto string
	timeout           time.Duration // bound on each write of 64 KiB
	minRate           byteSize      // slowest transfer allowed, a second
	maxClients        int           // clients served at once
	verbose           bool          // -v: print what crosses the network
}

// parseFlags reads the command line into a config, or prints what is
// wrong with it and the usage, and returns errUsage (and flag.ErrHelp
// after -h).
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] "+
			"[-file PATH] [-proto json|stream] [-timeout D] [-min-rate SIZE] "+
			"[-max-clients N] [-v]")
		fs.PrintDefaults()
	}
	cfg := config{minRate: 1 << 20}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:5566",
		"address to listen on (0.0.0.0:5566 to let other machines in)")
	fs.StringVar(&cfg.path, "file", "",
		"file to send (default: a sample picture, sample.png)")
	fs.StringVar(&cfg.proto, "proto", "json",
		"protocol: json (the tutorial's) or stream")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second,
		"how long one write of 64 KiB to a client may take: a client "+
			"that reads slower than that is cut off")
	fs.Var(&cfg.minRate, "min-rate", "slowest transfer to allow: a `size` "+
		"a second, in bytes or with KiB, MiB or GiB; a transfer must end "+
		"within -timeout plus the time its size takes at this rate")
	fs.IntVar(&cfg.maxClients, "max-clients", 100,
		"how many clients to serve at once; more are told the server is busy")
	fs.BoolVar(&cfg.verbose, "v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	var problem string
	switch _, _, err := net.SplitHostPort(cfg.addr); {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case err != nil:
		problem = fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:5566", cfg.addr)
	case cfg.proto != "json" && cfg.proto != "stream":
		problem = fmt.Sprintf("-proto must be json or stream, not %q", cfg.proto)
	case cfg.timeout <= 0:
		problem = "-timeout must be more than 0"
	case cfg.maxClients < 1:
		problem = "-max-clients must be 1 or more"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return cfg, errUsage
	}
	return cfg, nil
}

// listenAndServe loads the file to send, listens as cfg says, prints the
// listening line, and serves until ctx is canceled.
func listenAndServe(ctx context.Context, cfg config, logger *log.Logger) error {
	f, err := load(cfg.path)
	if err != nil {
		return err
	}
	defer f.Close()
	msg, err := f.message(cfg.proto)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return explainListen(err, cfg.addr)
	}
	logger.Printf("listening on %s (sending %q, %d bytes, as %s)",
		ln.Addr(), f.name, f.size, cfg.proto)
	s := &server{msg: msg, timeout: cfg.timeout, minRate: cfg.minRate,
		grace: 10 * time.Second, log: logger}
	err = s.serve(ctx, cfg.guard(ln, logger))
	if err == nil {
		logger.Print("stopped")
	}
	return err
}
