package loopback

import (
	"context"
	"errors"
	"net"
	"sync"
	"syscall"
)

// PipeListener is a listener whose connections are in-memory pipes
// (net.Pipe), for a server under test inside a testing/synctest bubble:
// there time is fake, so a test of a 60-second timeout takes
// microseconds and cannot fail because the machine is busy, but real
// sockets must not be used. Make it inside the bubble.
//
// Like a real listener it has a queue: Dial returns at once while fewer
// than 128 connections wait to be accepted, and fails when the queue is
// full. The listener and its connections have loopback addresses, as real
// ones would. Unlike TCP, a pipe holds no data: each Write waits for the
// other end to Read it.
type PipeListener struct {
	queue  chan net.Conn // the server's ends, waiting for Accept
	done   chan struct{} // closed by Close
	mu     sync.Mutex
	closed bool
	port   int // the client port of the last connection
}

// pipeAddr is where the listener seems to be.
var pipeAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}

// NewPipeListener returns a PipeListener.
func NewPipeListener() *PipeListener {
	return &PipeListener{queue: make(chan net.Conn, 128),
		done: make(chan struct{}), port: 40000}
}

// Accept waits for a connection, or for Close.
func (l *PipeListener) Accept() (net.Conn, error) {
	select {
	case conn := <-l.queue:
		return conn, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops Accept and Dial, and closes the connections still waiting
// in the queue, as closing a real listener does. Connections already
// accepted stay open.
func (l *PipeListener) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	close(l.done)
	for {
		select {
		case conn := <-l.queue:
			_ = conn.Close() // a pipe's Close does not fail
		default:
			return nil
		}
	}
}

// Addr returns 127.0.0.1:1.
func (l *PipeListener) Addr() net.Addr { return pipeAddr }

// Dial connects to the listener and returns the client's end.
func (l *PipeListener) Dial() (net.Conn, error) {
	return l.DialContext(context.Background(), "tcp", pipeAddr.String())
}

// DialContext is Dial in the shape of net.Dialer's, so that an
// http.Transport can use it; ctx, network and address are not used.
func (l *PipeListener) DialContext(_ context.Context,
	_, _ string) (net.Conn, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: pipeAddr,
			Err: syscall.ECONNREFUSED}
	}
	l.port++
	client := &net.TCPAddr{IP: pipeAddr.IP, Port: l.port}
	serverEnd, clientEnd := net.Pipe()
	select {
	case l.queue <- pipeConn{serverEnd, pipeAddr, client}:
		return pipeConn{clientEnd, client, pipeAddr}, nil
	default:
		return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: pipeAddr,
			Err: errors.New("the listener's queue is full")}
	}
}

// pipeConn is one end of a pipe, with addresses.
type pipeConn struct {
	net.Conn
	local, remote net.Addr
}

func (c pipeConn) LocalAddr() net.Addr  { return c.local }
func (c pipeConn) RemoteAddr() net.Addr { return c.remote }
