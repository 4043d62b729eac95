package main

import (
	"errors"
	"math"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// A client holds a slot for as long as its transfer lasts, so a transfer
// must make progress, or lose the slot. Two deadlines see to it. Each
// write has one (-timeout, shorter while the server is under stress, all
// its slots taken), which cuts off a client that stops reading. And the
// whole transfer has one, which cuts off a client that reads a little now
// and then, just enough to beat the first: it must average -min-rate
// bytes a second.

// sendTo sends the file to one client, closes the connection, and logs
// how it went.
func sendTo(w *deadlineWriter, cfg config) {
	start := time.Now()
	who := w.conn.RemoteAddr()
	var shown *wire // with -v, the lines about this client
	if cfg.wire != nil {
		shown = cfg.wire.peer(who.String())
	}
	shown.line("S:", cfg.head)
	err := cfg.send(w)
	showSent(shown, cfg, w.sent) // before the close that it tells of
	_ = w.conn.Close()           // the transfer is over either way
	switch {
	case err == nil:
		cfg.log.Printf("%s: sent in %v", who,
			time.Since(start).Round(time.Millisecond))
	case errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(w.end):
		cfg.log.Printf("%s: cut off after %v, slower than -min-rate %v a "+
			"second: %v", who, w.end.Sub(start), cfg.minRate, err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		cfg.log.Printf("%s: cut off, read nothing for %v: %v", who,
			w.idleBound(), err)
	default:
		cfg.log.Printf("%s: %v", who, err)
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
// idle() from now, but never later than end. A client that reads at least
// 64 KiB every idle() gets the whole file, if it is done by end; one that
// stops reading is cut off, and frees its goroutine and its slot.
type deadlineWriter struct {
	conn net.Conn
	end  time.Time
	idle func() time.Duration

	mu       sync.Mutex // hurry may run while Write waits
	deadline time.Time  // of the write in progress
	bound    time.Duration

	sent int64 // bytes written, read when the transfer is over
}

// newDeadlineWriter bounds the transfer on conn as cfg says. Each write
// may wait cfg.timeout, or cfg.stressTimeout while stressed is true.
func newDeadlineWriter(conn net.Conn, cfg config,
	stressed *atomic.Bool) *deadlineWriter {
	return &deadlineWriter{conn: conn,
		end: time.Now().Add(transferBound(cfg.size, cfg.timeout, cfg.minRate)),
		idle: func() time.Duration {
			if stressed.Load() {
				return min(cfg.timeout, cfg.stressTimeout)
			}
			return cfg.timeout
		}}
}

func (w *deadlineWriter) Write(p []byte) (n int, err error) {
	for len(p) > 0 {
		chunk := p[:min(len(p), 64<<10)]
		if err := w.setDeadline(w.idle(), false); err != nil {
			return n, err
		}
		m, err := w.conn.Write(chunk)
		n += m
		w.sent += int64(m)
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}

// hurry gives the write in progress at most idle from now.
func (w *deadlineWriter) hurry(idle time.Duration) {
	_ = w.setDeadline(idle, true) // a closed conn has nothing to hurry
}

// setDeadline sets the write deadline to idle from now, or end if that is
// sooner; if sooner is true, only if it is sooner than the one set.
func (w *deadlineWriter) setDeadline(idle time.Duration, sooner bool) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	d := time.Now().Add(idle)
	if d.After(w.end) {
		d = w.end
	}
	if sooner && !d.Before(w.deadline) {
		return nil
	}
	w.deadline, w.bound = d, idle
	return w.conn.SetWriteDeadline(d)
}

// idleBound is the bound the last write was given.
func (w *deadlineWriter) idleBound() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.bound
}
