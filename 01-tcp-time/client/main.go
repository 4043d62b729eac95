// Command client asks a time server for the time and prints it: over TCP
// by default, over UDP with -udp.
//
// It is the Go version of the time client in the tutorial's section
// "TCP sockets". Start the server first, then run the client from a second
// terminal:
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
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// maxReply bounds what we accept from the server. The tutorial reads 1024
// bytes; a time of day needs far fewer.
const maxReply = 1024

// The hints added to errors that mean no server answered.
const (
	serverHint = "is the server running? go run ./01-tcp-time/server"
	udpHint    = "is the server running with -udp? " +
		"go run ./01-tcp-time/server -udp"
)

// errUsage reports a mistake on the command line. The flag package has
// already printed what was wrong, so main only exits with status 2.
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
	// dial connects; run uses a net.Dialer's, tests an in-memory one.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// parseFlags reads the command line into a config, or prints what is
// wrong with it and the usage, and returns errUsage.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client [-addr HOST:PORT] [-udp] [-timeout D]")
		fs.PrintDefaults()
	}
	cfg := config{dial: (&net.Dialer{}).DialContext}
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:6789", "address of the time server")
	fs.BoolVar(&cfg.udp, "udp", false, "ask over UDP instead of TCP")
	fs.DurationVar(&cfg.timeout, "timeout", 5*time.Second,
		"how long to wait for the connection and the reply")
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
		problem = fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:6789", cfg.addr)
	case cfg.timeout <= 0:
		problem = "-timeout must be more than 0"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return cfg, errUsage
	}
	return cfg, nil
}

// askTime asks the server for the time and prints it.
func askTime(ctx context.Context, cfg config, stdout io.Writer) error {
	// One deadline bounds the whole exchange: connecting, and reading.
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	ask := askTCP
	if cfg.udp {
		ask = askUDP
	}
	reply, err := ask(ctx, cfg)
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
	// The reply comes from the network: quote prints control characters
	// as escapes, so a hostile server cannot drive the terminal.
	_, err = fmt.Fprintln(stdout, quote(text))
	return err
}

// askTCP connects to addr and reads until the server closes the connection.
//
// TCP delivers a stream of bytes, not messages: the server's one write may
// arrive in several reads, so one Read is not "the reply". The end of the
// reply is the end of the stream (EOF), which io.ReadAll waits for.
func askTCP(ctx context.Context, cfg config) ([]byte, error) {
	conn, err := cfg.dial(ctx, "tcp", cfg.addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return readReply(ctx, conn, func() ([]byte, error) {
		// One byte more than allowed tells a long reply from one that
		// just fits.
		return io.ReadAll(io.LimitReader(conn, maxReply+1))
	})
}

// askUDP sends one datagram to addr and waits for one datagram back.
//
// UDP has no connection and no delivery guarantee: if the request or the
// reply is lost, nothing says so. The deadline is the only way to stop
// waiting.
func askUDP(ctx context.Context, cfg config) ([]byte, error) {
	conn, err := cfg.dial(ctx, "udp", cfg.addr) // sends nothing yet
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return readReply(ctx, conn, func() ([]byte, error) {
		// RFC 867: the server ignores what the datagram holds.
		if _, err := conn.Write(nil); err != nil {
			return nil, err
		}
		buf := make([]byte, maxReply+1)
		n, err := conn.Read(buf) // one Read is one datagram
		return buf[:n], err
	})
}

// readReply calls read with conn's deadline set from ctx, and makes ctx's
// cancellation (Ctrl-C) interrupt the read too. On an error it returns
// what arrived before it, for the error message.
func readReply(ctx context.Context, conn net.Conn,
	read func() ([]byte, error)) ([]byte, error) {
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return nil, err
		}
	}
	stop := context.AfterFunc(ctx, func() {
		_ = conn.SetDeadline(time.Now()) // wakes the read; conn is closing anyway
	})
	defer stop()
	reply, err := read()
	if err != nil {
		return reply, err
	}
	if len(reply) > maxReply {
		return nil, fmt.Errorf("%s sent more than %d bytes, "+
			"which is not a time", conn.RemoteAddr(), maxReply)
	}
	return reply, nil
}

// explain adds to a failed exchange what it most likely means. got is
// what arrived before the error.
func explain(err error, got []byte, cfg config) error {
	timedOut := errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, context.DeadlineExceeded)
	refused := errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, wsaeconnrefused) || errors.Is(err, wsaeconnreset)
	var opErr *net.OpError
	connecting := errors.As(err, &opErr) && opErr.Op == "dial"
	switch {
	case cfg.udp && timedOut:
		// Nothing tells a UDP client that its datagram was lost, or
		// that nobody listens: it can only stop waiting.
		return fmt.Errorf("no reply within %v: %w (%s)", cfg.timeout, err, udpHint)
	case cfg.udp && refused:
		// Some systems answer a datagram to a closed port with an ICMP
		// message, which shows up here as "connection refused".
		return fmt.Errorf("%w (%s)", err, udpHint)
	case timedOut && connecting:
		return fmt.Errorf("no connection within %v: %w (is the "+
			"address right? %s)", cfg.timeout, err, serverHint)
	case timedOut && len(got) > 0:
		// The end of the reply is the server closing the connection.
		return fmt.Errorf("no end of reply within %v: %w (the server "+
			"sent %d bytes, %s, then stopped without closing the "+
			"connection: is it a time server?)", cfg.timeout, err,
			len(got), quote(string(got)))
	case timedOut:
		return fmt.Errorf("no reply within %v: %w (the server accepted "+
			"the connection but sent nothing: is it a time server?)",
			cfg.timeout, err)
	case refused:
		return fmt.Errorf("%w (%s)", err, serverHint)
	}
	return err
}

// Windows reports a refused connection with codes of its own, and a UDP
// datagram to a closed port as a reset.
const (
	wsaeconnrefused = syscall.Errno(10061)
	wsaeconnreset   = syscall.Errno(10054)
)
