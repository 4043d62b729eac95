// Package loopback holds the few helpers the chapters' tests share: a TCP
// handler on a loopback port, a program's run function started in the
// background and stopped again, another chapter program built and run in
// a process of its own, and a scripted fake SMTP server with a
// certificate for its TLS.
//
// Everything here listens on 127.0.0.1 port 0, so the system picks a free
// port: tests never collide with each other, with a server a learner left
// running, or with anything else on the machine.
package loopback

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Serve listens on 127.0.0.1 port 0 and calls handle in a goroutine of its
// own for each connection, closing the connection when handle returns. It
// returns the address to dial.
//
// When the test ends, Serve closes the listener and every connection still
// open, then waits for the handlers to return: a handler that blocks in a
// read (a fake server that never answers) is woken by that close.
func Serve(tb testing.TB, handle func(net.Conn)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen on loopback: %v", err)
	}

	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		conns  = map[net.Conn]bool{}
		closed bool // set by the cleanup; later connections close at once
	)
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // the listener was closed by the cleanup below
			}
			mu.Lock()
			if closed {
				mu.Unlock()
				_ = conn.Close() // accepted as the test ended
				continue
			}
			conns[conn] = true
			mu.Unlock()
			wg.Go(func() {
				defer func() {
					mu.Lock()
					delete(conns, conn)
					mu.Unlock()
					_ = conn.Close() // it may be closed already
				}()
				handle(conn)
			})
		}
	})
	tb.Cleanup(func() {
		_ = ln.Close() // nothing to do if it fails; Accept returns either way
		mu.Lock()
		closed = true
		for conn := range conns {
			_ = conn.Close() // wakes a handler blocked on it
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// RunFunc is the shape of every program's run function in this course.
type RunFunc func(ctx context.Context, args []string,
	getenv func(string) string, stdout, stderr io.Writer) error

// StartTimeout bounds how long Start waits for the listening line, and how
// long Stop waits for run to return.
var StartTimeout = 5 * time.Second

// Program is a run function running in the background.
type Program struct {
	Addr string // the address from the program's "listening on" line

	cancel  context.CancelFunc
	done    chan struct{}
	err     error // what run returned; read only after done is closed
	stopped sync.Once
	stopErr error // what Stop returns
	stdout  Buffer
	stderr  Buffer
}

// listening matches the whole line every server prints when it is ready.
var listening = regexp.MustCompile(`listening on (\S+).*\n`)

// Start calls run with args and the environment env (only the variables in
// the map are set) in the background, and waits until it prints its
// "listening on ADDR" line. If run returns first, or prints nothing in time,
// the test fails. The program is stopped when the test ends, if the test has
// not stopped it already.
func Start(tb testing.TB, run RunFunc, args []string,
	env map[string]string) *Program {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &Program{cancel: cancel, done: make(chan struct{})}
	ready := make(chan string, 1)
	p.stderr.ready = ready
	getenv := func(key string) string { return env[key] }
	go func() {
		defer close(p.done)
		p.err = run(ctx, args, getenv, &p.stdout, &p.stderr)
	}()
	tb.Cleanup(func() { _ = p.Stop() }) // the test checks Stop's error if it cares

	select {
	case p.Addr = <-ready:
		return p
	case <-p.done:
		tb.Fatalf("run %q returned before listening: %v\nstderr:\n%s",
			args, p.err, p.stderr.String())
	case <-time.After(StartTimeout):
		tb.Fatalf("run %q printed no listening line within %v\nstderr:\n%s",
			args, StartTimeout, p.stderr.String())
	}
	return nil
}

// Stop cancels the program's context, as Ctrl-C does, and returns what run
// returned. It waits at most StartTimeout; a program that takes longer is
// reported as an error, since a server must shut down promptly. Calling
// Stop again returns the same.
func (p *Program) Stop() error {
	p.stopped.Do(func() {
		p.cancel()
		select {
		case <-p.done:
			p.stopErr = p.err
		case <-time.After(StartTimeout):
			p.stopErr = errors.New("run did not return within " +
				StartTimeout.String() + " of being canceled")
		}
	})
	return p.stopErr
}

// Stdout returns what the program has written to stdout so far.
func (p *Program) Stdout() string { return p.stdout.String() }

// Stderr returns what the program has written to stderr so far.
func (p *Program) Stderr() string { return p.stderr.String() }

// Buffer is a bytes.Buffer that one goroutine may write while another
// reads it: a server's log, say, written while the test looks at it.
type Buffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan string // Start's: the first listening address goes here
}

// Write appends p. If the buffer is Start's, the first address found in
// a "listening on" line is sent on ready.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.ready != nil {
		if m := listening.FindSubmatch(b.buf.Bytes()); m != nil {
			b.ready <- string(m[1])
			b.ready = nil
		}
	}
	return len(p), nil
}

// String returns what has been written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
