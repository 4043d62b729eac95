package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"
)

// maxReply bounds what we accept from the server: a time needs far fewer.
const maxReply = 1024

// askTCP reads the server's reply on conn until the server closes the
// connection. TCP delivers a stream of bytes, not messages: one write may
// arrive in several reads. The end of the reply is the end of the stream
// (EOF), which io.ReadAll waits for.
func askTCP(ctx context.Context, conn net.Conn) ([]byte, error) {
	return readReply(ctx, conn, func() ([]byte, error) {
		// One byte more than allowed tells a long reply from one that
		// just fits.
		return io.ReadAll(io.LimitReader(conn, maxReply+1))
	})
}

// askUDP sends one datagram on conn and waits for one datagram back. If
// either is lost, nothing says so: the deadline is what ends the wait.
func askUDP(ctx context.Context, conn net.Conn) ([]byte, error) {
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

// readReply calls read with conn's deadline set from ctx, which Ctrl-C
// interrupts too. On an error it returns what arrived before it.
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
	hint := "is the server running, on that address? " +
		"go run ./01-tcp-time/server"
	if cfg.udp {
		hint = "is the server running with -udp, on that address? " +
			"go run ./01-tcp-time/server -udp"
	}
	late := timedOut(err)
	var opErr *net.OpError
	switch {
	case cfg.udp && late:
		// Nothing tells a UDP client that its datagram was lost, or
		// that nobody listens: it can only stop waiting.
		return fmt.Errorf("no reply within %v: %w (%s)", cfg.timeout, err, hint)
	case late && errors.As(err, &opErr) && opErr.Op == "dial":
		return fmt.Errorf("no connection within %v: %w (is the "+
			"address right? %s)", cfg.timeout, err, hint)
	case late && len(got) > 0:
		// The end of the reply is the server closing the connection.
		return fmt.Errorf("no end of reply within %v: %w (the server "+
			"sent %d bytes, %.200q, then stopped without closing the "+
			"connection: is it a time server?)", cfg.timeout, err,
			len(got), got)
	case late:
		return fmt.Errorf("no reply within %v: %w (the server accepted "+
			"the connection but sent nothing: is it a time server?)",
			cfg.timeout, err)
	case refused(err) || errors.Is(err, wsaeconnreset):
		// A datagram to a closed port may come back as an ICMP message:
		// "connection refused", or a reset on Windows.
		return fmt.Errorf("%w (%s)", err, hint)
	}
	return err
}

// wsaeconnreset is how Windows says ECONNRESET.
const wsaeconnreset = syscall.Errno(10054)
