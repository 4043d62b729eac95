package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"sync"
	"time"
)

// server holds what serving clients needs: the log, and how long one
// client may take to receive the time.
type server struct {
	logger  *log.Logger
	timeout time.Duration
}

// serve answers every TCP connection on ln, and every datagram on pc when
// pc is not nil, until ctx is canceled. Then it stops accepting, waits for
// the clients it is serving (each bounded by s.timeout), and returns nil.
func (s *server) serve(ctx context.Context, ln net.Listener,
	pc net.PacketConn) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// ReadFrom blocks until a datagram arrives: closing the socket is what
	// wakes it, as serveTCP closes ln, so that is how Ctrl-C (or the TCP
	// loop failing) reaches the UDP loop.
	if pc != nil {
		stop := context.AfterFunc(ctx, func() { _ = pc.Close() })
		defer stop()
	}

	var udp sync.WaitGroup
	var udpErr error
	if pc != nil {
		udp.Go(func() {
			udpErr = s.serveUDP(ctx, pc)
			cancel()
		})
	}
	tcpErr := s.serveTCP(ctx, ln)
	cancel()
	udp.Wait()
	return errors.Join(tcpErr, udpErr)
}

// serveTCP accepts connections and answers each in a goroutine of its own.
// This is where the tutorial's first server serves one client at a time:
// without the go keyword, a client that is slow to receive would make every
// other client wait.
func (s *server) serveTCP(ctx context.Context, ln net.Listener) error {
	// Accept blocks until a client comes. Closing ln is what wakes it,
	// so that is how Ctrl-C reaches this loop.
	stop := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stop()
	var clients sync.WaitGroup
	defer clients.Wait()
	for {
		conn, err := accept(ctx, ln, s.logger)
		if err != nil {
			if ctx.Err() != nil {
				return nil // shutting down: we closed the listener
			}
			return err
		}
		clients.Go(func() { s.tellTime(conn) })
	}
}

// tellTime writes the time and a CRLF to conn, then closes it. Closing is
// the end of the message: the client reads until EOF.
func (s *server) tellTime(conn net.Conn) {
	defer conn.Close() // an error would change nothing
	s.logger.Printf("%s connected", conn.RemoteAddr())

	// A write can block when the client does not read and the buffers
	// between us fill up. The deadline turns that into an error, so a
	// stuck client cannot hold this goroutine forever.
	err := conn.SetWriteDeadline(time.Now().Add(s.timeout))
	if err == nil {
		_, err = io.WriteString(conn, time.Now().Format(layout)+"\r\n")
	}
	if err != nil {
		s.logger.Printf("%s: %v", conn.RemoteAddr(), err)
	}
}

// maxLogged is how many datagrams a second the log tells of. A datagram
// costs its sender nothing, not even a connection, so a flood of them is
// easy: it must not become a flood of log lines. The rest are counted.
const maxLogged = 10

// serveUDP answers each datagram, whatever it holds, with one datagram
// holding the time. There is no connection: the sender's address comes
// with each datagram, and the answer is sent back to it. Nothing tells us
// whether it arrives.
func (s *server) serveUDP(ctx context.Context, pc net.PacketConn) error {
	var second time.Time // when the current second began
	seen := 0            // datagrams in it
	logf := func(format string, args ...any) {
		if seen <= maxLogged {
			s.logger.Printf(format, args...)
		}
	}
	untold := func() {
		if seen > maxLogged {
			s.logger.Printf("udp: %d more datagrams, not logged", seen-maxLogged)
		}
	}
	defer untold()
	buf := make([]byte, 512) // what the client sends is ignored
	for {
		_, from, err := pc.ReadFrom(buf)
		if ctx.Err() != nil {
			return nil // shutting down: serve closed the socket
		}
		if errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("udp: %w", err)
		}
		if now := time.Now(); now.Sub(second) >= time.Second {
			untold()
			second, seen = now, 0
		}
		seen++
		if err != nil {
			// One bad datagram (Windows reports one larger than buf
			// as an error) must not stop the service.
			logf("udp: %v", err)
			continue
		}
		logf("%s sent a datagram", from)
		line := time.Now().Format(layout) + "\r\n"
		if _, err := pc.WriteTo([]byte(line), from); err != nil {
			logf("%s: %v", from, err)
		}
	}
}
