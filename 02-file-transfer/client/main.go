// Command client receives a file from the file server and saves it in a
// folder, speaking the server's json (the tutorial's) or stream protocol.
// It is the Go version of the file client in the tutorial's section "TCP
// sockets". The name comes from the network: the client takes only a
// plain name, writes inside -out, replaces no file unless told to
// (-overwrite), and writes through a temporary file, so that a failed
// transfer leaves nothing behind.
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
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
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
	return get(ctx, cfg, stdout, stderr)
}

// config is what the command line asks for.
type config struct {
	addr, out, proto string
	maxSize          byteSize
	timeout          time.Duration
	overwrite        bool
	retry            int // tries after the first, while busy
	dial             dialFunc
}

// dialFunc connects to address, as net.Dialer's DialContext does.
type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// parseFlags reads the command line into a config, or prints what is
// wrong with it and the usage, and returns errUsage (and flag.ErrHelp
// after -h).
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client [-addr HOST:PORT] [-out DIR] "+
			"[-proto json|stream] [-max-size SIZE] [-timeout D] [-overwrite] "+
			"[-retry N] [-v]")
		fs.PrintDefaults()
	}
	cfg := config{maxSize: 64 << 20}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:5566",
		"address of the file server, HOST:PORT")
	fs.StringVar(&cfg.out, "out", ".", "folder to save the file in (made if missing)")
	fs.StringVar(&cfg.proto, "proto", "json", "protocol: json (the tutorial's) or stream")
	fs.Var(&cfg.maxSize, "max-size", "largest file to accept: a `size` in bytes, "+
		"or with KiB, MiB or GiB")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second,
		"how long to wait for the connection, and for each piece of data")
	fs.BoolVar(&cfg.overwrite, "overwrite", false, "replace a file of the "+
		"same name (default: save as NAME-1.EXT, NAME-2.EXT, ...)")
	fs.IntVar(&cfg.retry, "retry", 0, "when the server is busy, try again "+
		"up to `N` times, waiting longer each time (from about 0.5s to 10s)")
	verbose := fs.Bool("v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	var problem string
	_, _, addrErr := net.SplitHostPort(cfg.addr)
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case addrErr != nil:
		problem = fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:5566", cfg.addr)
	case cfg.proto != "json" && cfg.proto != "stream":
		problem = fmt.Sprintf("-proto must be json or stream, not %q", cfg.proto)
	case cfg.timeout <= 0:
		problem = "-timeout must be more than 0"
	case cfg.retry < 0:
		problem = "-retry must be 0 or more"
	case cfg.out == "":
		problem = "-out must name a folder"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return cfg, errUsage
	}
	cfg.dial = (&net.Dialer{Timeout: cfg.timeout}).DialContext
	if *verbose {
		cfg.dial = tapDial(cfg.dial, log.New(stderr, "", 0))
	}
	return cfg, nil
}

// tapDial returns dial, each conn it makes tapped for -v (tap.go): what
// crosses it is printed to log, and the code that uses it cannot tell.
func tapDial(dial dialFunc, log *log.Logger) dialFunc {
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		conn, err := dial(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return tapClient(conn, log), nil
	}
}
