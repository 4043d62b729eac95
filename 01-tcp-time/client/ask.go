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

// maxReply bounds what we accept from the server. The tutorial reads 1024
// bytes; a time of day needs far fewer.
const maxReply = 1024

// The hints added to errors that mean no server answered.
const (
	serverHint = "is the server running? go run ./01-tcp-time/server"
	udpHint    = "is the server running with -udp? " +
		"go run ./01-tcp-time/server -udp"
)

// askTCP reads the server's reply on conn until the server closes the
// connection.
//
// TCP delivers a stream of bytes, not messages: the server's one write may
// arrive in several reads, so one Read is not "the reply". The end of the
// reply is the end of the stream (EOF), which io.ReadAll waits for.
func askTCP(ctx context.Context, conn net.Conn) ([]byte, error) {
	return readReply(ctx, conn, func() ([]byte, error) {
		// One byte more than allowed tells a long reply from one that
		// just fits.
		return io.ReadAll(io.LimitReader(conn, maxReply+1))
	})
}

// askUDP sends one datagram on conn and waits for one datagram back.
//
// UDP has no connection and no delivery guarantee: if the request or the
// reply is lost, nothing says so. The deadline is the only way to stop
// waiting.
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
	late := timedOut(err)
	// A UDP datagram to a closed port comes back on Windows as a reset.
	nobody := refused(err) || errors.Is(err, wsaeconnreset)
	var opErr *net.OpError
	connecting := errors.As(err, &opErr) && opErr.Op == "dial"
	switch {
	case cfg.udp && late:
		// Nothing tells a UDP client that its datagram was lost, or
		// that nobody listens: it can only stop waiting.
		return fmt.Errorf("no reply within %v: %w (%s)", cfg.timeout, err, udpHint)
	case cfg.udp && nobody:
		// Some systems answer a datagram to a closed port with an ICMP
		// message, which shows up here as "connection refused".
		return fmt.Errorf("%w (%s)", err, udpHint)
	case late && connecting:
		return fmt.Errorf("no connection within %v: %w (is the "+
			"address right? %s)", cfg.timeout, err, serverHint)
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
	case nobody:
		return fmt.Errorf("%w (%s)", err, serverHint)
	}
	return err
}

// wsaeconnreset is how Windows says ECONNRESET.
const wsaeconnreset = syscall.Errno(10054)
