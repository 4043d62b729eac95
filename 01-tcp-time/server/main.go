// Command server is a time server: every client that connects gets the
// local date and time as one line of text, and the connection is closed.
// With -udp it answers the same over UDP, which makes it a daytime server
// (RFC 867).
//
// It is the Go version of the time server in the tutorial's section
// "TCP sockets", with the threaded server that follows it folded in: each
// client is served by a goroutine of its own.
//
// Run it, then ask it the time from a second terminal:
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
	"sync"
	"syscall"
	"time"
)

// layout is the time format of Python's str(datetime.now()), the
// tutorial's server's, so its client prints the same time from this one.
const layout = "2006-01-02 15:04:05.000000"

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
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] [-udp] [-timeout D]")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:6789",
		"address to listen on (0.0.0.0:6789 to let other machines in)")
	udp := fs.Bool("udp", false, "answer UDP datagrams on the same port too")
	timeout := fs.Duration("timeout", 5*time.Second,
		"how long one client may take to receive the time")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	var problem string
	switch _, _, err := net.SplitHostPort(*addr); {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case err != nil:
		problem = fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:6789", *addr)
	case *timeout <= 0:
		problem = "-timeout must be more than 0"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return errUsage
	}

	// Listening binds the socket to one address of this machine and one
	// port. 127.0.0.1 (loopback) is reachable only from this machine;
	// a LAN address such as the tutorial's 192.168.1.2 exists only on
	// the machine that has it.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return explainListen(err, *addr)
	}
	var pc net.PacketConn
	if *udp {
		// UDP has its own ports: the same number can serve both.
		pc, err = net.ListenPacket("udp", ln.Addr().String())
		if err != nil {
			_ = ln.Close() // we are giving up; the bind error matters more
			return explainListen(err, ln.Addr().String())
		}
	}

	logger := log.New(stderr, "", log.LstdFlags)
	if pc != nil {
		logger.Printf("listening on %s (tcp and udp)", ln.Addr())
	} else {
		logger.Printf("listening on %s", ln.Addr())
	}
	if err := serve(ctx, ln, pc, *timeout, logger); err != nil {
		return err
	}
	logger.Print("stopped")
	return nil
}

// serve answers every TCP connection on ln, and every datagram on pc when
// pc is not nil, until ctx is cancelled. Then it stops accepting, waits for
// the clients it is serving (each bounded by timeout), and returns nil.
func serve(ctx context.Context, ln net.Listener, pc net.PacketConn,
	timeout time.Duration, logger *log.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Accept and ReadFrom block until something arrives. Closing the
	// sockets is what wakes them, so that is how Ctrl-C (or one loop
	// failing) reaches both loops.
	stop := context.AfterFunc(ctx, func() {
		_ = ln.Close() // errors on close mean it is closed already
		if pc != nil {
			_ = pc.Close()
		}
	})
	defer stop()

	var wg sync.WaitGroup
	var tcpErr, udpErr error
	wg.Go(func() {
		tcpErr = serveTCP(ctx, ln, timeout, logger)
		cancel()
	})
	if pc != nil {
		wg.Go(func() {
			udpErr = serveUDP(ctx, pc, logger)
			cancel()
		})
	}
	wg.Wait()
	return errors.Join(tcpErr, udpErr)
}

// serveTCP accepts connections and answers each in a goroutine of its own.
// This is where the tutorial's first server serves one client at a time:
// without the go keyword, a client that is slow to receive would make every
// other client wait.
func serveTCP(ctx context.Context, ln net.Listener, timeout time.Duration,
	logger *log.Logger) error {
	var clients sync.WaitGroup
	defer clients.Wait()
	for {
		conn, err := accept(ctx, ln, logger)
		if err != nil {
			if ctx.Err() != nil {
				return nil // shutting down: serve closed the listener
			}
			return err
		}
		clients.Go(func() { tellTime(conn, timeout, logger) })
	}
}

// tellTime writes the time and a CRLF to conn, then closes it. Closing is
// the end of the message: the client reads until EOF.
func tellTime(conn net.Conn, timeout time.Duration, logger *log.Logger) {
	defer conn.Close()
	logger.Printf("%s connected", conn.RemoteAddr())

	// A write can block when the client does not read and the buffers
	// between us fill up. The deadline turns that into an error, so a
	// stuck client cannot hold this goroutine forever.
	if err := conn.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		logger.Printf("%s: %v", conn.RemoteAddr(), err)
		return
	}
	line := time.Now().Format(layout) + "\r\n"
	if _, err := io.WriteString(conn, line); err != nil {
		logger.Printf("%s: %v", conn.RemoteAddr(), err)
	}
}

// serveUDP answers each datagram, whatever it holds, with one datagram
// holding the time. There is no connection: the sender's address comes
// with each datagram, and the answer is sent back to it. Nothing tells us
// whether it arrives.
func serveUDP(ctx context.Context, pc net.PacketConn, logger *log.Logger) error {
	buf := make([]byte, 512) // what the client sends is ignored
	for {
		_, from, err := pc.ReadFrom(buf)
		if ctx.Err() != nil {
			return nil // shutting down: serve closed the socket
		}
		if errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("udp: %w", err)
		}
		if err != nil {
			// One bad datagram (Windows reports one larger than buf
			// as an error) must not stop the service.
			logger.Printf("udp: %v", err)
			continue
		}
		logger.Printf("%s sent a datagram", from)
		line := time.Now().Format(layout) + "\r\n"
		if _, err := pc.WriteTo([]byte(line), from); err != nil {
			logger.Printf("%s: %v", from, err)
		}
	}
}
