package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// server holds what serving clients needs: the message every client
// gets, the bounds on sending it, and the log.
type server struct {
	msg     message
	timeout time.Duration // bound on each write of 64 KiB
	minRate byteSize      // slowest transfer allowed, a second
	grace   time.Duration // how long Ctrl-C waits for transfers
	log     *log.Logger

	transfers sync.WaitGroup
	active    atomic.Int64 // transfers in progress
}

// message is what the server sends every client: head, then the file's
// bytes (as base64 in json mode), then tail.
type message struct {
	head, tail []byte
	body       io.ReaderAt // read by every client at once: ReadAt moves no offset
	size       int64       // body's
}

// serve accepts connections on ln and sends the message to each in a
// goroutine of its own, until ctx is canceled. Then it stops accepting,
// gives the transfers in progress s.grace to finish, closes what is
// left, and returns nil.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	// Closing the listener is what wakes Accept when ctx is canceled.
	stop := context.AfterFunc(ctx, func() {
		_ = ln.Close() // an error means it is closed already
	})
	defer stop()
	late, cutOff := context.WithCancel(context.Background())
	defer cutOff()
	defer s.shutdown(cutOff)
	for {
		conn, err := accept(ctx, ln, s.log)
		if err != nil {
			if ctx.Err() != nil {
				return nil // shutting down: we closed the listener
			}
			return err
		}
		s.active.Add(1)
		s.transfers.Go(func() {
			defer s.active.Add(-1)
			// When Ctrl-C's grace is over, late ends: closing the
			// connection makes a write in progress fail.
			stop := context.AfterFunc(late, func() { _ = conn.Close() })
			defer stop()
			s.send(conn)
		})
	}
}

// shutdown waits for the transfers in progress, but not forever: after
// s.grace it cuts them off.
func (s *server) shutdown(cutOff func()) {
	if n := s.active.Load(); n > 0 {
		s.log.Printf("stopping: waiting up to %v for %d transfers", s.grace, n)
	}
	timer := time.AfterFunc(s.grace, func() {
		s.log.Printf("stopping: cutting off %d transfers", s.active.Load())
		cutOff()
	})
	defer timer.Stop()
	s.transfers.Wait()
}

// send writes the message to one client, closes the connection, and logs
// how it went. A client holds a slot while its transfer lasts, so the
// transfer must make progress or lose it. Each write has a deadline
// (-timeout), which cuts off a client that stops reading; the whole
// transfer has one, which cuts off a client that reads just enough to
// beat the first: it must average -min-rate bytes a second.
func (s *server) send(conn net.Conn) {
	msg := s.msg // what this client gets
	start := time.Now()
	w := &deadlineWriter{conn: conn, timeout: s.timeout,
		end: start.Add(transferBound(msg.size, s.timeout, s.minRate))}
	_, err := w.Write(msg.head)
	if err == nil {
		hide(conn, true) // -v shows the file's bytes as their count
		var n int64
		n, err = io.CopyBuffer(w, io.NewSectionReader(msg.body, 0, msg.size),
			make([]byte, 64<<10))
		hide(conn, false)
		if err == nil && n < msg.size {
			err = fmt.Errorf("sent %d of %d bytes: the file changed on disk",
				n, msg.size)
		}
	}
	if err == nil {
		_, err = w.Write(msg.tail)
	}
	_ = conn.Close() // the transfer is over either way
	who := conn.RemoteAddr()
	switch {
	case err == nil:
		// Every byte is in the hands of our system, not yet of the client:
		// nothing in the protocol tells the server that the client read them.
		s.log.Printf("%s: wrote %d bytes in %v", who,
			int64(len(msg.head)+len(msg.tail))+msg.size,
			time.Since(start).Round(time.Millisecond))
	case errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(w.end):
		s.log.Printf("%s: cut off after %v, slower than -min-rate %v a "+
			"second: %v", who, w.end.Sub(start), s.minRate, err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		s.log.Printf("%s: cut off, read nothing for %v: %v", who,
			time.Since(w.began).Round(10*time.Millisecond), err)
	default:
		s.log.Printf("%s: %v", who, err)
	}
}

// hide asks a -v wrapper, if conn is one, to count what crosses, not show it.
func hide(conn net.Conn, on bool) {
	if h, ok := conn.(interface{ Hide(bool) }); ok {
		h.Hide(on)
	}
}

// transferBound is how long sending size bytes may take: timeout, plus
// the time size takes at rate bytes a second.
func transferBound(size int64, timeout time.Duration, rate byteSize) time.Duration {
	d := float64(size) / float64(rate) * float64(time.Second)
	if d >= float64(math.MaxInt64-timeout) {
		return math.MaxInt64 // hundreds of years: no bound
	}
	return timeout + time.Duration(d)
}

// deadlineWriter gives every write of at most 64 KiB its own deadline,
// timeout from now, but never later than end.
type deadlineWriter struct {
	conn    net.Conn
	timeout time.Duration
	end     time.Time
	began   time.Time // when the last write began
}

func (w *deadlineWriter) Write(p []byte) (n int, err error) {
	for len(p) > 0 {
		chunk := p[:min(len(p), 64<<10)]
		w.began = time.Now()
		deadline := w.began.Add(w.timeout)
		if deadline.After(w.end) {
			deadline = w.end
		}
		if err := w.conn.SetWriteDeadline(deadline); err != nil {
			return n, err
		}
		m, err := w.conn.Write(chunk)
		n += m
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}
