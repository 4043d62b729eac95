// This file is the same in every server that bounds its connections:
// 02-file-transfer/server, 03-image-download/server, 04-email/server and
// 05-sms/server. A test keeps the copies identical.

package main

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A server's connections are slots: each holds an open file (a process
// may have 1024 by default on Linux), a goroutine and its buffers, and a
// peer that holds one without doing work keeps it from a client that
// would. limitListener wraps the listener a server accepts on, as
// netutil.LimitListener does (golang.org/x/net), and holds the server to
// three rules; the server still calls Accept, from one goroutine, and
// sets its own deadlines.
//
//  1. At most max connections are open at once. Beyond that, Accept
//     waits and new clients wait in the system's queue, which costs
//     nothing here; or, with a busy function, each is handed to it at
//     once, to be told the server is busy and closed, holding no slot.
//  2. From high connections on, the server is under stress, and a
//     connection keeps its slot only while it works: the deadlines the
//     server sets come closer (none stays none). A read waits at most
//     read from the last work: the accept, or the last call of Worked
//     (what a peer sends is work only if its protocol says so: a command
//     costs nothing to send). A write waits at most write from when its
//     deadline was set. Deadlines already set move when stress begins (a
//     connection idle for longer is cut off at once), and move back when
//     it ends.
//  3. Stress ends for the first connection that comes after a whole
//     calm with at most half the slots taken: a busy server does not
//     flap in and out. stress(on) is called when it begins and when it
//     ends: the server logs it, and may free what else it holds.
//
// A server with rules of its own (a least rate, a cap on commands that
// do nothing) calls its connection's Stressed and Worked through an
// interface it declares, as conn.(interface{ Stressed() bool }).
type limitListener struct {
	net.Listener
	limits
	slots    chan struct{} // a value for each connection open
	done     chan struct{} // closed by Close, to wake a waiting Accept
	closing  sync.Once
	stressed atomic.Bool

	mu     sync.Mutex
	conns  map[*limitConn]bool // the connections open
	calmAt time.Time           // when the calm ends, if it has begun
}

// limits says what a limitListener holds a server to (see above). A read
// or write of 0 leaves those deadlines as the server sets them.
type limits struct {
	max, high   int
	calm        time.Duration
	read, write time.Duration
	busy        func(net.Conn) // nil: Accept waits; else runs in Accept
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

// open counts conn in. The first connection after a whole calm finds
// the server out of stress; at high, stress begins.
func (l *limitListener) open(conn net.Conn) net.Conn {
	c := &limitConn{Conn: conn, l: l, worked: time.Now()}
	l.mu.Lock()
	was := l.stressed.Load()
	if !l.calmAt.IsZero() && !time.Now().Before(l.calmAt) {
		l.press(false)
	}
	l.conns[c] = true
	if len(l.conns) > l.max/2 {
		l.calmAt = time.Time{} // not calm after all
	}
	if len(l.conns) >= l.high && !l.stressed.Load() {
		l.press(true)
	}
	on := l.stressed.Load()
	l.mu.Unlock()
	if on != was {
		l.stress(on) // outside l.mu: it may close connections
	}
	return c
}

// release counts c out: once at most half are open, the calm begins.
func (l *limitListener) release(c *limitConn) {
	l.mu.Lock()
	delete(l.conns, c)
	if l.stressed.Load() && len(l.conns) <= l.max/2 && l.calmAt.IsZero() {
		l.calmAt = time.Now().Add(l.calm)
	}
	l.mu.Unlock()
	<-l.slots
}

// press puts the server under stress, or out of it, and moves the
// deadlines already set.
func (l *limitListener) press(on bool) {
	l.stressed.Store(on)
	l.calmAt = time.Time{}
	for c := range l.conns {
		_ = c.set(func() {}) // fails only if c is closed: nothing waits
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

// Stressed reports whether the server is under stress.
func (c *limitConn) Stressed() bool { return c.l.stressed.Load() }

// Worked says the peer did work: under stress, a read may wait read
// from now.
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
// a server keeps for what is not a connection: stdin, stdout, stderr, the
// listener, the runtime's poller, connections closing as others come.
const spareFiles = 32

// connCap returns the most connections a server may hold at once:
// maxConns, or fewer if the process may have only files open at once
// (ulimit -n; 0: no such limit). Past that, Accept would fail with "too
// many open files" before the slots are all taken, and stress never come.
func connCap(maxConns int, files uint64) int {
	if files == 0 || files >= uint64(maxConns)+spareFiles {
		return maxConns
	}
	return max(1, int(files)-spareFiles)
}
