// This file is the same in every server that bounds its connections:
// 03-image-download/server and 05-sms/server. A test keeps the copies
// identical.

package main

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A server's connections are slots: each holds an open file (a process
// may have 1024 by default on Linux), a goroutine and its buffers. A
// peer that takes one and does no work keeps it from a client that
// would; a few hundred such peers shut everyone else out.
//
// limitListener wraps the listener a server accepts on, as netutil's
// LimitListener does (golang.org/x/net), and holds the server to three
// rules; the server still calls Accept and sets its own deadlines.
//
//  1. At most max connections are open at once. Beyond that Accept
//     waits, and new clients wait in the system's queue, which costs
//     nothing here; or, with a busy function, each is handed to it at
//     once, to be told the server is busy and closed, holding no slot.
//  2. From high connections on, the server is under stress, and a
//     connection keeps its slot only while it works. Each read waits at
//     most read from its last work: its accept, or the last call of its
//     Worked (what a peer sends is work only if its protocol says so: a
//     command costs nothing to send). Each write waits at most write
//     from when its deadline was set. The deadlines already set move as
//     soon as stress begins, so a connection idle for longer is cut off
//     at once, and move back when it ends.
//  3. Stress ends when at most half the slots, and fewer than high, have
//     been taken for a whole calm: a busy server does not flap in and
//     out. stress(on) is called when it begins and when it ends: the
//     server logs it, and may free what else it holds.
//
// A server with rules of its own (a least rate, a cap on commands that
// do nothing) asks its connection, through an interface it declares:
//
//	func stressed(conn net.Conn) bool {
//		s, ok := conn.(interface{ Stressed() bool })
//		return ok && s.Stressed()
//	}
type limitListener struct {
	net.Listener
	limits
	slots    chan struct{} // a value for each connection open
	done     chan struct{} // closed by Close, to wake a waiting Accept
	closing  sync.Once
	stressed atomic.Bool

	mu     sync.Mutex
	conns  map[*limitConn]bool // the connections open
	calmAt time.Time           // when stress ends, if few stay open

	telling sync.Mutex // stress is called by one goroutine at a time,
	told    bool       // and only when this changes
}

// limits says what a limitListener holds a server to (see above). A read
// or write of 0 leaves those deadlines as the server sets them.
type limits struct {
	max, high   int
	calm        time.Duration
	read, write time.Duration
	busy        func(net.Conn) // nil: Accept waits
	stress      func(on bool)
}

func newLimitListener(ln net.Listener, l limits) *limitListener {
	return &limitListener{Listener: ln, limits: l,
		slots: make(chan struct{}, l.max), done: make(chan struct{}),
		conns: map[*limitConn]bool{}}
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		if l.busy == nil {
			select {
			case l.slots <- struct{}{}:
			case <-l.done:
				return nil, net.ErrClosed
			}
		}
		conn, err := l.Listener.Accept()
		if err != nil {
			if l.busy == nil {
				<-l.slots
			}
			return nil, err
		}
		if l.busy == nil {
			return l.open(conn), nil
		}
		select {
		case l.slots <- struct{}{}:
			return l.open(conn), nil
		default:
			l.busy(conn)
		}
	}
}

func (l *limitListener) Close() error {
	l.closing.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// open counts conn in: at high, stress begins, and with more than a few
// open, no calm has begun.
func (l *limitListener) open(conn net.Conn) net.Conn {
	c := &limitConn{Conn: conn, l: l, worked: time.Now()}
	l.mu.Lock()
	l.conns[c] = true
	if !l.few() {
		l.calmAt = time.Time{}
	}
	if len(l.conns) >= l.high && !l.stressed.Load() {
		l.press(true)
	}
	l.mu.Unlock()
	l.tell()
	return c
}

// release counts c out: once few are open, the calm begins.
func (l *limitListener) release(c *limitConn) {
	l.mu.Lock()
	delete(l.conns, c)
	if l.stressed.Load() && l.few() && l.calmAt.IsZero() {
		l.calmAt = time.Now().Add(l.calm)
		time.AfterFunc(l.calm, l.relax)
	}
	l.mu.Unlock()
	<-l.slots
}

// relax ends stress, if few have been open for the whole calm.
func (l *limitListener) relax() {
	l.mu.Lock()
	if !l.calmAt.IsZero() && !time.Now().Before(l.calmAt) {
		l.calmAt = time.Time{}
		l.press(false)
	}
	l.mu.Unlock()
	l.tell()
}

func (l *limitListener) few() bool {
	return len(l.conns) <= l.max/2 && len(l.conns) < l.high
}

// press puts the server under stress, or out of it, and moves the
// deadlines already set.
func (l *limitListener) press(on bool) {
	l.stressed.Store(on)
	for c := range l.conns {
		_ = c.set(func() {}) // fails only if c is closed: nothing waits
	}
}

// tell calls stress, outside l.mu: it may close connections.
func (l *limitListener) tell() {
	l.telling.Lock()
	defer l.telling.Unlock()
	if on := l.stressed.Load(); on != l.told {
		l.told = on
		l.stress(on)
	}
}

// limitConn gives its slot back when it is closed, once, and keeps its
// deadlines to the listener's rules.
type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once

	mu     sync.Mutex
	worked time.Time // when it was accepted, or Worked last called
	rd, wd time.Time // the deadlines as the server set them
	wset   time.Time // when it set wd
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c) })
	return err
}

func (c *limitConn) Stressed() bool { return c.l.stressed.Load() }

func (c *limitConn) Worked() { _ = c.set(func() { c.worked = time.Now() }) }

func (c *limitConn) SetDeadline(t time.Time) error {
	return c.set(func() { c.rd, c.wd, c.wset = t, t, time.Now() })
}

func (c *limitConn) SetReadDeadline(t time.Time) error {
	return c.set(func() { c.rd = t })
}

func (c *limitConn) SetWriteDeadline(t time.Time) error {
	return c.set(func() { c.wd, c.wset = t, time.Now() })
}

// set makes the change f makes, then sets the deadlines the rules give.
func (c *limitConn) set(f func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
	rd, wd := c.rd, c.wd
	if c.l.stressed.Load() {
		rd, wd = sooner(rd, c.worked, c.l.read), sooner(wd, c.wset, c.l.write)
	}
	return errors.Join(c.Conn.SetReadDeadline(rd), c.Conn.SetWriteDeadline(wd))
}

// sooner returns deadline t, or d after from if that is sooner. A d of
// 0 leaves t as it is, and so does the zero time, which comes before any
// other: no deadline stays none.
func sooner(t, from time.Time, d time.Duration) time.Time {
	if d > 0 && from.Add(d).Before(t) {
		return from.Add(d)
	}
	return t
}

// spareFiles is how many of the files a process may have open (ulimit -n)
// a server keeps for what is not a connection: stdin, stdout and stderr,
// the listener, the runtime's poller, and connections that are closing
// while others are accepted.
const spareFiles = 32

// connCap returns the most connections a server may hold at once:
// maxConns, or fewer when the process may have only files open at once
// (ulimit -n; 0 where there is no such limit). Past that limit, Accept
// fails with "too many open files" before the slots are all taken, so
// stress mode never starts, and a new client waits in the queue until an
// idle connection times out.
func connCap(maxConns int, files uint64) int {
	if files == 0 || files >= uint64(maxConns)+spareFiles {
		return maxConns
	}
	return max(1, int(files)-spareFiles)
}
