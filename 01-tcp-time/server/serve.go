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

// server holds what serving clients needs: where to log, and how long
// one client may take to receive the time.
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
		tcpErr = s.serveTCP(ctx, ln)
		cancel()
	})
	if pc != nil {
		wg.Go(func() {
			udpErr = s.serveUDP(ctx, pc)
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
func (s *server) serveTCP(ctx context.Context, ln net.Listener) error {
	var clients sync.WaitGroup
	defer clients.Wait()
	for {
		conn, err := accept(ctx, ln, s.logger)
		if err != nil {
			if ctx.Err() != nil {
				return nil // shutting down: serve closed the listener
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

// serveUDP answers each datagram, whatever it holds, with one datagram
// holding the time. There is no connection: the sender's address comes
// with each datagram, and the answer is sent back to it. Nothing tells us
// whether it arrives.
func (s *server) serveUDP(ctx context.Context, pc net.PacketConn) error {
	logs := &logQuota{logger: s.logger}
	defer logs.flush()
	buf := make([]byte, 512) // what the client sends is ignored
	for {
		_, from, err := pc.ReadFrom(buf)
		if ctx.Err() != nil {
			return nil // shutting down: serve closed the socket
		}
		if errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("udp: %w", err)
		}
		logged := logs.allow()
		if err != nil {
			// One bad datagram (Windows reports one larger than buf
			// as an error) must not stop the service.
			if logged {
				s.logger.Printf("udp: %v", err)
			}
			continue
		}
		if logged {
			s.logger.Printf("%s sent a datagram", from)
		}
		line := time.Now().Format(layout) + "\r\n"
		if _, err := pc.WriteTo([]byte(line), from); err != nil && logged {
			s.logger.Printf("%s: %v", from, err)
		}
	}
}

// maxLogged is how many datagrams a second the log tells of. A datagram
// costs its sender nothing, not even a connection, so a flood of them is
// easy: it must not become a flood of log lines.
const maxLogged = 10

// logQuota lets the log tell of maxLogged datagrams a second, and counts
// the others.
type logQuota struct {
	logger *log.Logger
	since  time.Time // when the current second began
	told   int       // datagrams told of since then
	untold int       // datagrams not told of
}

// allow reports whether the log may tell of one more datagram. Once a
// second is over, it first says how many datagrams went untold.
func (q *logQuota) allow() bool {
	if now := time.Now(); now.Sub(q.since) >= time.Second {
		q.flush()
		q.since, q.told = now, 0
	}
	if q.told == maxLogged {
		q.untold++
		return false
	}
	q.told++
	return true
}

// flush says how many datagrams went untold, if any.
func (q *logQuota) flush() {
	if q.untold > 0 {
		q.logger.Printf("udp: %d more datagrams, not logged", q.untold)
		q.untold = 0
	}
}
