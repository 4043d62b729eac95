// This file is the same in 02-file-transfer/server,
// 03-image-download/server, 04-email/server and 05-sms/server; a test keeps
// the copies identical.

package main

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A connection is a slot: an open file, a goroutine, buffers; a peer
// that holds one without working keeps it from a client that would.
// limitListener wraps the listener a server accepts on (from one
// goroutine), as netutil.LimitListener does (golang.org/x/net):
//
//  1. At most max connections are open. Beyond, Accept waits (clients
//     wait in the system's queue), or hands each new one to busy.
//  2. From high open on, under stress, the deadlines the server sets come
//     closer: a read waits at most read from the last work (the accept,
//     or Worked: the protocol says what is), a write at most write from
//     when it was set. Deadlines set already move when stress begins and
//     when it ends; none stays none.
//  3. Stress ends for the first connection after a whole calm with at
//     most half open, and stress(on) is called as it begins and ends.
//
// The server calls Worked and Stressed through an interface it declares.
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

// limits are the rules above.
type limits struct {
	max, high   int            // connections open at most; stress from high
	calm        time.Duration  // how long stress lasts after it is calm
	read, write time.Duration  // bounds under stress; 0: the server's
	busy        func(net.Conn) // nil: Accept waits; else runs in Accept
	stress      func(on bool)  // must be set: told as stress begins, ends
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

// open counts conn in: after a whole calm stress ends, at high it begins,
// and the deadlines already set move.
func (l *limitListener) open(conn net.Conn) net.Conn {
	c := &limitConn{Conn: conn, l: l, worked: time.Now()}
	l.mu.Lock()
	l.conns[c] = true
	was := l.stressed.Load()
	calmed := !l.calmAt.IsZero() && !time.Now().Before(l.calmAt)
	if calmed || len(l.conns) > l.max/2 {
		l.calmAt = time.Time{} // over, or no calm after all
	}
	on := len(l.conns) >= l.high || was && !calmed
	if on != was {
		l.stressed.Store(on)
		for other := range l.conns {
			_ = other.set(func() {}) // fails only if closed: nothing waits
		}
	}
	l.mu.Unlock()
	if on != was {
		l.stress(on) // outside l.mu: it may close connections
	}
	return c
}

// limitConn holds a slot, and keeps its deadlines to the rules.
type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once

	mu     sync.Mutex
	worked time.Time // when it was accepted, or Worked last called
	rd, wd time.Time // the deadlines as the server set them
	wset   time.Time // when it set wd
}

// Close frees the slot; once at most half are open, the calm begins.
func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		l := c.l
		l.mu.Lock()
		delete(l.conns, c)
		if l.stressed.Load() && len(l.conns) <= l.max/2 && l.calmAt.IsZero() {
			l.calmAt = time.Now().Add(l.calm)
		}
		l.mu.Unlock()
		<-l.slots
	})
	return err
}

// Stressed reports whether the server is under stress.
func (c *limitConn) Stressed() bool { return c.l.stressed.Load() }

// Worked marks work: under stress, a read may wait read from now.
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

// sooner returns deadline t, or d after from if sooner. A d of 0 leaves t
// as it is, and so does the zero time: no deadline stays none.
func sooner(t, from time.Time, d time.Duration) time.Time {
	if d > 0 && from.Add(d).Before(t) {
		return from.Add(d)
	}
	return t
}

// spareFiles are the files (of ulimit -n) a server keeps for what is not
// a connection: stdio, the listener, the poller, connections closing.
const spareFiles = 32

// connCap returns maxConns, or fewer if the process may have only files
// open (ulimit -n; 0: no limit): past that, Accept would fail with "too
// many open files" before the slots are all taken, and stress never come.
func connCap(maxConns int, files uint64) int {
	if files == 0 || files >= uint64(maxConns)+spareFiles {
		return maxConns
	}
	return max(1, int(files)-spareFiles)
}
