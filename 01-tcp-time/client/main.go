// Command client asks a time server for the time and prints it: over TCP
// by default, over UDP with -udp. It is the Go version of the time client
// in the tutorial's section "TCP sockets". Start the server first:
//
//	go run ./01-tcp-time/server
//	go run ./01-tcp-time/client
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
	"strings"
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
		return nil // -h: the usage is what was asked for
	}
	if err != nil {
		return err
	}
	return askTime(ctx, cfg, stdout)
}

// config is what the command line asks for.
type config struct {
	addr    string
	udp     bool
	timeout time.Duration
	tap     *log.Logger // -v: prints what crosses the network; nil without
	dial    func(ctx context.Context, network, addr string) (net.Conn, error)
}

// parseFlags reads the command line into a config, or prints what is
// wrong with it and the usage, and returns errUsage (and flag.ErrHelp
// after -h).
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client [-addr HOST:PORT] [-udp] [-timeout D] [-v]")
		fs.PrintDefaults()
	}
	cfg := config{dial: (&net.Dialer{}).DialContext}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:6789",
		"address of the time server, HOST:PORT")
	fs.BoolVar(&cfg.udp, "udp", false, "ask over UDP instead of TCP")
	fs.DurationVar(&cfg.timeout, "timeout", 5*time.Second,
		"how long to wait for the connection and the reply")
	verbose := fs.Bool("v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("%w: %w", errUsage, err)
	}
	var problem string
	switch _, _, err := net.SplitHostPort(cfg.addr); {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case err != nil:
		problem = fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:6789", cfg.addr)
	case cfg.timeout <= 0:
		problem = "-timeout must be more than 0"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return cfg, errUsage
	}
	if *verbose {
		cfg.tap = log.New(stderr, "", 0)
	}
	return cfg, nil
}

// askTime asks the server for the time and prints it.
func askTime(ctx context.Context, cfg config, stdout io.Writer) error {
	// One deadline bounds the whole exchange: connecting, and reading.
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	network, ask := "tcp", askTCP
	if cfg.udp {
		network, ask = "udp", askUDP
	}
	var reply []byte
	conn, err := cfg.dial(ctx, network, cfg.addr)
	if err == nil {
		if cfg.tap != nil {
			conn = tapClient(conn, cfg.tap) // -v: print what crosses conn
		}
		reply, err = ask(ctx, conn)
		_ = conn.Close() // an error closing changes nothing now
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return errors.New("interrupted")
	}
	if err != nil {
		return explain(err, reply, cfg)
	}

	text := strings.TrimRight(string(reply), "\r\n")
	if text == "" {
		return fmt.Errorf("%s sent an empty reply", cfg.addr)
	}
	// Unless Go's quoted form leaves it as it is, print that form, where
	// control characters are escapes: a server cannot drive the terminal.
	if q := fmt.Sprintf("%.200q", text); q != `"`+text+`"` {
		text = q
	}
	_, err = fmt.Fprintln(stdout, text)
	return err
}
