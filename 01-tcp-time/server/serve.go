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

// serve answers every TCP connection on ln, and every datagram on pc when
// pc is not nil, until ctx is canceled. Then it stops accepting, waits for
// the clients it is serving (each bounded by timeout), and returns nil.
// With -v, w prints what is sent to each client.
func serve(ctx context.Context, ln net.Listener, pc net.PacketConn,
	timeout time.Duration, logger *log.Logger, w *wire) error {
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
		tcpErr = serveTCP(ctx, ln, timeout, logger, w)
		cancel()
	})
	if pc != nil {
		wg.Go(func() {
			udpErr = serveUDP(ctx, pc, logger, w)
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
	logger *log.Logger, w *wire) error {
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
		clients.Go(func() { tellTime(conn, timeout, logger, w) })
	}
}

// tellTime writes the time and a CRLF to conn, then closes it. Closing is
// the end of the message: the client reads until EOF.
func tellTime(conn net.Conn, timeout time.Duration, logger *log.Logger, w *wire) {
	logger.Printf("%s connected", conn.RemoteAddr())

	// A write can block when the client does not read and the buffers
	// between us fill up. The deadline turns that into an error, so a
	// stuck client cannot hold this goroutine forever.
	line := time.Now().Format(layout) + "\r\n"
	n := 0
	err := conn.SetWriteDeadline(time.Now().Add(timeout))
	if err == nil {
		n, err = io.WriteString(conn, line)
	}
	if err != nil {
		logger.Printf("%s: %v", conn.RemoteAddr(), err)
	}
	showSent(w, conn.RemoteAddr(), line[:n]) // before the close it tells of
	_ = conn.Close()                         // an error would change nothing
}

// serveUDP answers each datagram, whatever it holds, with one datagram
// holding the time. There is no connection: the sender's address comes
// with each datagram, and the answer is sent back to it. Nothing tells us
// whether it arrives.
func serveUDP(ctx context.Context, pc net.PacketConn, logger *log.Logger,
	w *wire) error {
	buf := make([]byte, 512) // what the client sends is ignored
	for {
		n, from, err := pc.ReadFrom(buf)
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
			line = "" // nothing was sent
		}
		showDatagram(w, from, buf[:n], line)
	}
}
