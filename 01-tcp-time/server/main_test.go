package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// startServer runs the server on a free loopback port with extra flags,
// and returns its address. It is stopped when the test ends.
func startServer(t *testing.T, flags ...string) string {
	t.Helper()
	args := append([]string{"-addr", "127.0.0.1:0"}, flags...)
	return loopback.Start(t, run, args, nil).Addr
}

// askTime connects to addr and reads the whole reply, as a client does.
// It returns an error rather than failing the test, so that goroutines
// other than the test's may call it.
func askTime(addr string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return "", err
	}
	reply, err := io.ReadAll(conn)
	return string(reply), err
}

// pythonTime is the tutorial's time format, always with six digits of
// microseconds: the length of the reply never changes.
var pythonTime = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$`)

// checkTime says what is wrong with reply, or nil if it is the time in the
// tutorial's format, followed by CRLF, and within a minute of now: close
// enough to catch a wrong time zone, loose enough for a busy machine.
func checkTime(reply string) error {
	text, ok := strings.CutSuffix(reply, "\r\n")
	if !ok {
		return fmt.Errorf("got %q, want a line ending in CRLF", reply)
	}
	if !pythonTime.MatchString(text) {
		return fmt.Errorf("got %q, want the tutorial's format with six "+
			"digits after the second, always: e.g. %q", text,
			"2026-11-25 13:07:14.622228")
	}
	got, err := time.ParseInLocation(layout, text, time.Local)
	if err != nil {
		return fmt.Errorf("got %q, want the time as %q: %v", text, layout, err)
	}
	if d := time.Since(got); d < -time.Minute || d > time.Minute {
		return fmt.Errorf("got %v, want within a minute of now (off by %v)", got, d)
	}
	return nil
}

// wantTime fails the test unless the server at addr tells the time.
func wantTime(t *testing.T, addr string) {
	t.Helper()
	reply, err := askTime(addr)
	if err != nil {
		t.Fatalf("ask %s: %v", addr, err)
	}
	if err := checkTime(reply); err != nil {
		t.Error(err)
	}
}

func TestServerTellsTheTime(t *testing.T) {
	t.Run("a client gets the local time and CRLF", func(t *testing.T) {
		addr := startServer(t)
		wantTime(t, addr)
	})

	t.Run("six digits of microseconds always, when they are 0 too", func(t *testing.T) {
		// In the synctest bubble the clock starts at midnight, exactly.
		synctest.Test(t, func(t *testing.T) {
			srv, cli := net.Pipe()
			defer cli.Close()
			s := &server{logger: log.New(io.Discard, "", 0), timeout: time.Minute}
			go s.tellTime(srv)
			reply, err := io.ReadAll(cli)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkTime(string(reply)); err != nil {
				t.Error(err)
			}
		})
	})

	t.Run("100 clients at once each get the time", func(t *testing.T) {
		addr := startServer(t)
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for range 100 {
			wg.Go(func() {
				reply, err := askTime(addr)
				if err == nil {
					err = checkTime(reply)
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		failed, first := 0, error(nil)
		for err := range errs {
			if err != nil {
				failed, first = failed+1, cmp.Or(first, err)
			}
		}
		if failed > 0 {
			t.Errorf("%d of 100 clients did not get the time, the first "+
				"because: %v", failed, first)
		}
	})

	t.Run("a client that never reads does not hold up others", func(t *testing.T) {
		// The first client is a net.Pipe, which has no buffer: writing
		// to it blocks until someone reads, and nobody does. A server
		// that served clients one at a time would never get past it.
		stuck, peer := net.Pipe()
		defer peer.Close()
		ln := newTestListener(t, stuck)
		done := startServe(t, ln, time.Minute)
		reply, err := askTime(ln.Addr().String())
		if err != nil {
			t.Errorf("the next client got no time while the first one "+
				"did not read, want it served at once: %v", err)
		} else if err := checkTime(reply); err != nil {
			t.Error(err)
		}
		_ = peer.Close() // unblocks the stuck client's goroutine
		ln.stop()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v, want nil", err)
		}
	})

	t.Run("the server logs who connected", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0"}, nil)
		conn, err := net.Dial("tcp", p.Addr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(conn) // the reply is not what this test checks
		_ = conn.Close()
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
		want := conn.LocalAddr().String() + " connected"
		if !strings.Contains(p.Stderr(), want) {
			t.Errorf("got log %q, want it to contain %q", p.Stderr(), want)
		}
	})
}

func TestServerStops(t *testing.T) {
	t.Run("shutdown waits for the client being served, for a time", func(t *testing.T) {
		stuck, peer := net.Pipe()
		defer peer.Close()
		closed := make(chan struct{})
		ln := newTestListener(t, &notifyConn{Conn: stuck, closed: closed})
		done := startServe(t, ln, 50*time.Millisecond)
		ln.stop() // Ctrl-C while the stuck client is being served
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("serve still waiting after 5s, " +
				"want it to give up on the client after 50ms")
		}
		select {
		case <-closed:
		default:
			t.Error("serve returned before the client it was serving was done")
		}
	})

	t.Run("canceling the context stops it and run returns nil", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-udp"}, nil)
		wantTime(t, p.Addr)
		if err := p.Stop(); err != nil {
			t.Fatalf("%v, want it to stop and return nil", err)
		}
		if conn, err := net.Dial("tcp", p.Addr); err == nil {
			_ = conn.Close()
			t.Error("a client could still connect after the server stopped")
		}
	})

	t.Run("a write nobody reads is cut off by the deadline", func(t *testing.T) {
		// net.Pipe has no buffer: a write waits until the other end
		// reads. Here it never does, so only the deadline ends tellTime.
		// In the synctest bubble the clock is fake: the minute passes
		// at once, and exactly.
		synctest.Test(t, func(t *testing.T) {
			srv, cli := net.Pipe()
			defer cli.Close()
			var logs bytes.Buffer
			start := time.Now()
			s := &server{logger: log.New(&logs, "", 0), timeout: time.Minute}
			done := make(chan struct{})
			go func() {
				defer close(done)
				s.tellTime(srv)
			}()
			select {
			case <-done:
			case <-time.After(time.Hour):
				// The deferred cli.Close ends the write, and tellTime.
				t.Fatal("tellTime was still writing after an hour, " +
					"want it to give up after its 1m timeout")
			}
			if got := time.Since(start); got != time.Minute {
				t.Errorf("tellTime returned after %v, want 1m", got)
			}
			if !strings.Contains(logs.String(), "timeout") {
				t.Errorf("got log %q, want it to report the timeout", logs.String())
			}
		})
	})
}

// testListener hands out one given connection first, then real loopback
// connections, so a test can put a client of its choosing in line.
type testListener struct {
	net.Listener
	first  net.Conn
	once   sync.Once
	cancel context.CancelFunc
}

func newTestListener(t *testing.T, first net.Conn) *testListener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &testListener{Listener: ln, first: first}
}

func (l *testListener) Accept() (net.Conn, error) {
	var conn net.Conn
	l.once.Do(func() { conn = l.first })
	if conn != nil {
		return conn, nil
	}
	return l.Listener.Accept()
}

// stop cancels the serve that startServe started on l, as Ctrl-C would.
func (l *testListener) stop() { l.cancel() }

// startServe runs serve on ln in the background and returns a channel
// that gets what serve returns.
func startServe(t *testing.T, ln *testListener, timeout time.Duration) <-chan error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ln.cancel = cancel
	t.Cleanup(cancel)
	done := make(chan error, 1)
	s := &server{logger: log.New(io.Discard, "", 0), timeout: timeout}
	go func() { done <- s.serve(ctx, ln, nil) }()
	return done
}

// notifyConn closes its channel when the connection is closed.
type notifyConn struct {
	net.Conn
	closed chan struct{}
}

func (c *notifyConn) Close() error {
	close(c.closed)
	return c.Conn.Close()
}
