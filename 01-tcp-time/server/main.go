// Command server is a time server: every client that connects gets the
// local date and time as one line of text, and the connection is closed;
// with -udp it answers datagrams too, a daytime server (RFC 867). It is
// the Go version of the tutorial's time server ("TCP sockets"), with a
// goroutine per client.
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
	"syscall"
	"time"
)

// layout is the time format of Python's str(datetime.now()), the
// tutorial's server's, so its client prints the same time from this one.
const layout = "2006-01-02 15:04:05.000000"

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
		return nil // -h: the usage is what was asked for
	}
	if err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, log.New(stderr, "", log.LstdFlags))
}

// config is what the command line asks for.
type config struct {
	addr         string
	udp, verbose bool // verbose: -v, print what crosses the network
	timeout      time.Duration
}

// parseFlags reads the command line into a config, or prints what is
// wrong with it and the usage, and returns errUsage (and flag.ErrHelp
// after -h).
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] [-udp] [-timeout D] [-v]")
		fs.PrintDefaults()
	}
	var cfg config
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:6789",
		"address to listen on (0.0.0.0:6789 to let other machines in)")
	fs.BoolVar(&cfg.udp, "udp", false, "answer UDP datagrams on the same port "+
		"too (on loopback only: anyone can forge a datagram's sender)")
	fs.DurationVar(&cfg.timeout, "timeout", 5*time.Second,
		"how long one client may take to receive the time")
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

// listenAndServe listens as cfg says, prints the listening line, and
// serves until ctx is canceled.
func listenAndServe(ctx context.Context, cfg config, logger *log.Logger) error {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return explainListen(err, cfg.addr)
	}
	var pc net.PacketConn
	both := ""
	if cfg.udp {
		// UDP has its own ports: the same number can serve both.
		pc, err = net.ListenPacket("udp", ln.Addr().String())
		if err != nil {
			_ = ln.Close() // we are giving up; the bind error matters more
			return explainListen(err, ln.Addr().String())
		}
		both = " (tcp and udp)"
	}
	logger.Printf("listening on %s%s", ln.Addr(), both)
	if cfg.verbose { // print what crosses: the code that serves cannot tell
		v := log.New(logger.Writer(), "", 0)
		ln = tapListener(ln, v)
		if pc != nil {
			pc = tapPacketConn{pc, v}
		}
	}
	err = (&server{logger: logger, timeout: cfg.timeout}).serve(ctx, ln, pc)
	if err == nil {
		logger.Print("stopped")
	}
	return err
}

// tapPacketConn is, for -v, a UDP socket that prints each datagram it
// reads and writes as tap.go prints what crosses a TCP connection.
type tapPacketConn struct {
	net.PacketConn
	log *log.Logger
}

func (c tapPacketConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, from, err := c.PacketConn.ReadFrom(p)
	if err == nil {
		c.log.Printf("%s C: %.200q", from, p[:n])
	}
	return n, from, err
}

func (c tapPacketConn) WriteTo(p []byte, to net.Addr) (int, error) {
	n, err := c.PacketConn.WriteTo(p, to)
	if err == nil {
		c.log.Printf("%s S: %.200q", to, p[:n])
	}
	return n, err
}
