package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// pipeServer starts a fake time server on an in-memory listener, for a
// test inside a synctest bubble: handle is called for each connection,
// which is closed when it returns, or when the test ends. It returns a
// config for the client with the given timeout.
func pipeServer(t *testing.T, timeout time.Duration, handle func(net.Conn)) config {
	t.Helper()
	ln := loopback.NewPipeListener()
	conns := make(chan net.Conn, 16) // the connections accepted
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed by the cleanup
			}
			conns <- conn
			handle(conn)
			_ = conn.Close() // a pipe's Close does not fail
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close() // a pipe listener's Close does not fail
		// Closing ends a handle that still waits, and a client that
		// still waits for it, when a test gave up on the client.
		for len(conns) > 0 {
			_ = (<-conns).Close()
		}
		<-done
	})
	return config{addr: ln.Addr().String(), timeout: timeout, dial: ln.DialContext}
}

// These tests are about time: they run in a synctest bubble, where the
// clock is fake and moves only when every goroutine waits. A 5-second
// timeout takes no time at all, and a busy machine cannot make the
// client miss a deadline it should meet.
func TestClientTimeouts(t *testing.T) {
	t.Run("reads until EOF when the reply comes in fragments",
		testReadsFragments)

	t.Run("gives up when the server never writes", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			cfg := pipeServer(t, 5*time.Second, neverWrites)
			start := time.Now()
			err := askWithin(t, cfg, io.Discard)
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("got %s, want a deadline error", errText(err))
			}
			if err == nil || !strings.Contains(err.Error(), "no reply within 5s") ||
				!strings.Contains(err.Error(), "sent nothing") {
				t.Errorf("got %s, want it to say that nothing came in 5s", errText(err))
			}
			if got := time.Since(start); got != 5*time.Second {
				t.Errorf("gave up after %v, want 5s", got)
			}
		})
	})

	t.Run("says what came when the server stops halfway", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			cfg := pipeServer(t, 5*time.Second, func(c net.Conn) {
				_, _ = io.WriteString(c, "2026-11\x1b[2J") // checked below
				neverWrites(c)
			})
			err := askWithin(t, cfg, io.Discard)
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("got %s, want a deadline error", errText(err))
			}
			want := `sent 11 bytes, "2026-11\x1b[2J", then stopped`
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %s, want it to say %q", errText(err), want)
			}
			if err != nil && strings.Contains(err.Error(), "sent nothing") {
				t.Errorf("got %s, which says nothing came, but 11 bytes did", errText(err))
			}
		})
	})
}

// askWithin runs askTime with cfg, inside a synctest bubble, and returns
// its error. A client that still waits an hour after its timeout fails
// the test; canceling its context, and closing pipeServer's connections
// when the test ends, then ends its read.
func askWithin(t *testing.T, cfg config, stdout io.Writer) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- askTime(ctx, cfg, stdout) }()
	select {
	case err := <-done:
		return err
	case <-time.After(cfg.timeout + time.Hour):
		t.Fatalf("the client was still waiting for a reply an hour after "+
			"its timeout of %v: want it to give up then", cfg.timeout)
		return nil
	}
}

// testReadsFragments checks that the client reads until the server
// closes, not just once, when the reply comes 3 bytes at a time.
func testReadsFragments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The server writes 3 bytes at a time, then waits a
		// second for the client to hang up, which it must not
		// do before the server closes: a client that stopped
		// after one Read would print "202".
		hungUp := make(chan int, 1) // bytes sent when the client hung up, or 0
		cfg := pipeServer(t, time.Minute, func(c net.Conn) {
			reply := sample + "\r\n"
			for i := 0; i < len(reply); i += 3 {
				piece := reply[i:min(i+3, len(reply))]
				if _, err := io.WriteString(c, piece); err != nil {
					break
				}
				_ = c.SetReadDeadline(time.Now().Add(time.Second))
				if _, err := c.Read(make([]byte, 1)); errors.Is(err, io.EOF) {
					hungUp <- i + len(piece)
					return
				}
			}
			hungUp <- 0
		})
		var stdout bytes.Buffer
		err := askWithin(t, cfg, &stdout)
		if n := <-hungUp; n > 0 {
			t.Errorf("the client hung up after %d bytes, before the server closed", n)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got, want := stdout.String(), sample+"\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}
