// Command server sends one file to every client that connects, then closes
// the connection. It speaks two protocols:
//
//   - json (the default): the tutorial's, one JSON object
//     {"filename": ..., "filedata": <base64>};
//   - stream: a header line {"filename":...,"size":N,"sha256":...} and then
//     the file's N bytes as they are.
//
// It is the Go version of the multithreaded file server in the tutorial's
// section "TCP sockets": each client is served by a goroutine of its own.
// Without -file it sends sample.png, a picture it draws at start-up.
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
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is all that was asked for
	}
	if err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, log.New(stderr, "", log.LstdFlags))
}

// config is what the command line asks for, and what listenAndServe
// adds to it before serving: what to send each client, and the log.
type config struct {
	addr, path, proto string
	timeout           time.Duration // bound on each write of 64 KiB
	minRate           byteSize      // slowest transfer allowed, a second
	maxClients        int           // clients served at once
	stressTimeout     time.Duration // bound on each write, under stress
	grace             time.Duration // how long Ctrl-C waits for transfers
	wire              *wire         // with -v, prints the conversation

	send func(io.Writer) error // writes the file in the chosen protocol
	size int64                 // how many bytes send writes
	log  *log.Logger
	// What -v shows of the first headLen bytes that send writes: the
	// header, with the data elided in json mode.
	head    string
	headLen int64
}

// parseFlags reads the command line into a config, or prints what is
// wrong with it and the usage, and returns errUsage; after -h,
// flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] "+
			"[-file PATH] [-proto json|stream] [-timeout D] [-min-rate SIZE] "+
			"[-max-clients N] [-v]")
		fs.PrintDefaults()
	}
	cfg := config{minRate: 1 << 20, stressTimeout: stressTimeout,
		grace: 10 * time.Second}
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
	verbose := fs.Bool("v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	if problem := cfg.problem(fs.Args()); problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return cfg, errUsage
	}
	cfg.wire = newWire(stderr, *verbose)
	return cfg, nil
}

// problem says what is wrong with the flags, and args (there should be
// none), or returns "".
func (cfg config) problem(args []string) string {
	_, _, addrErr := net.SplitHostPort(cfg.addr)
	switch {
	case len(args) > 0:
		return fmt.Sprintf("unexpected argument %q", args[0])
	case addrErr != nil:
		return fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:5566", cfg.addr)
	case cfg.proto != "json" && cfg.proto != "stream":
		return fmt.Sprintf("-proto must be json or stream, not %q", cfg.proto)
	case cfg.timeout <= 0:
		return "-timeout must be more than 0"
	case cfg.maxClients < 1:
		return "-max-clients must be 1 or more"
	}
	return ""
}
