// This file is the same in both HTTP servers: 03-image-download/server and
// 05-sms/server. A test keeps the copies identical.

package main

import (
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// limitListener lets a server hold at most max connections at once. A
// process can only have so many open (1024 by default on Linux), and a
// peer that opens many and sends nothing would otherwise take them all.
// Beyond max, Accept waits: new connections wait in the system's queue,
// which costs this process nothing, and are accepted as slots free up.
//
// When every slot is taken the server is under stress, and a connection
// that does no work must give its slot up sooner: a read deadline set
// while the stress lasts is at most stressReadTimeout away (http.Server
// sets one before each request), and stress(true) is called once, so the
// server can free what else it holds (an HTTP server stops keeping idle
// connections open). When at most half the slots are taken and a minute
// has passed since they were last all taken, stress(false) is called: a
// busy server does not flap in and out.
//
// Accept must be called from one goroutine at a time, as http.Server does.
type limitListener struct {
	net.Listener
	slots  chan struct{} // one value per connection open
	done   chan struct{} // closed by Close, to wake a waiting Accept
	once   sync.Once
	stress func(on bool)
	hurry  atomic.Bool // under stress; the connections read it

	stressed bool      // only Accept reads and writes these two
	lastFull time.Time // when every slot was last taken
}

// calm is how long a server stays out of stress before stress(false).
const calm = time.Minute

// stressReadTimeout bounds each read while the server is under stress. A
// client sends its request as soon as it connects, so by the time its
// connection leaves the system's queue the request is usually there in
// full; a peer that has sent nothing after 2 s holds a slot that others
// are queueing for.
const stressReadTimeout = 2 * time.Second

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

func newLimitListener(ln net.Listener, max int,
	stress func(on bool)) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, max),
		done: make(chan struct{}), stress: stress}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		l.lastFull = time.Now()
		if !l.stressed {
			l.stressed = true
			l.hurry.Store(true)
			l.stress(true)
		}
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	conn, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	// Calm is judged when a connection comes, not when Accept starts to
	// wait for one, which may be long before: the connection that ends a
	// quiet minute finds the server out of stress. The slot just taken is
	// this connection's: only the others are open.
	if l.stressed && len(l.slots)-1 <= cap(l.slots)/2 &&
		time.Since(l.lastFull) >= calm {
		l.stressed = false
		l.hurry.Store(false)
		l.stress(false)
	}
	return &limitConn{Conn: conn, l: l}, nil
}

func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back when it is closed, once, however many
// times Close is called.
type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitConn) Close() error {
	c.once.Do(func() { <-c.l.slots })
	return c.Conn.Close()
}

// SetReadDeadline brings a deadline closer while the server is under
// stress. http.Server sets one before it reads each request.
func (c *limitConn) SetReadDeadline(t time.Time) error {
	if soon := time.Now().Add(stressReadTimeout); c.l.hurry.Load() &&
		!t.IsZero() && t.After(soon) {
		t = soon
	}
	return c.Conn.SetReadDeadline(t)
}

// onStress returns what an HTTP server srv does when all its maxConns
// slots are taken (on), and when it is calm again (off).
//
// Under stress, the slots held by connections that wait for a next
// request are the ones to free: SetKeepAlivesEnabled(false) closes the
// idle connections at once, and every answer closes its connection, so
// each slot serves one request and passes to the next client in the
// system's queue. Clients that are served still are; they only open a
// connection per request, as HTTP/1.0 did. The server says so once, not
// once per connection: a log that grows with the attack is another
// resource the attacker holds.
func onStress(srv *http.Server, maxConns int, logger *log.Logger) func(on bool) {
	return func(on bool) {
		srv.SetKeepAlivesEnabled(!on)
		if on {
			logger.Printf("at capacity: %d connections open; until it "+
				"is calm, a connection serves one request, sent within %v",
				maxConns, stressReadTimeout)
		} else {
			logger.Print("calm again: connections are kept open " +
				"between requests")
		}
	}
}
