package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// The tests in this file are about time: how long the client waits for a
// server that is slow or gone. They run fetch in a testing/synctest
// bubble against a fake server on an in-memory listener, where the clock
// is fake: the client keeps its real -timeout (30s), the test takes
// microseconds, and a busy machine cannot make it fail.

// fetchFromPipe runs get with the default flags (-out a new folder),
// changed by change, against a server that handles the connection with
// handle. It returns how long get took, and its error. Call it inside a
// bubble. A client still waiting after an hour fails the test: then the
// server hangs up, so that the bubble's goroutines end.
func fetchFromPipe(t *testing.T, ctx context.Context, handle func(net.Conn),
	change func(*config)) (time.Duration, error) {
	t.Helper()
	pl := loopback.NewPipeListener()
	accepted := make(chan net.Conn, 1)
	served := make(chan struct{})
	go func() {
		defer close(served)
		conn, err := pl.Accept()
		if err != nil {
			return // the test ended without dialing
		}
		accepted <- conn
		defer conn.Close()
		handle(conn)
	}()
	cfg := pipeConfig(t, pl, t.TempDir())
	change(&cfg)
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- get(ctx, cfg, io.Discard, io.Discard) }()
	var err error
	gaveUp := true
	select {
	case err = <-done:
	case <-time.After(time.Hour):
		gaveUp = false
		_ = pl.Close() // a pipe listener's Close does not fail
		select {
		case conn := <-accepted:
			_ = conn.Close() // ends the client's read: a pipe's Close does not fail
		default:
		}
		err = <-done
	}
	took := time.Since(start)
	_ = pl.Close()
	<-served // the handler ends when the client hangs up
	if !gaveUp {
		t.Fatalf("the client never gave up: after an hour it was still "+
			"waiting for the server, want it to give up after -timeout "+
			"(%v) without data (is there a deadline on each read?)",
			cfg.timeout)
	}
	return took, err
}

// pipeConfig is what the default flags say, with -out dir, for a client
// that dials pl.
func pipeConfig(tb testing.TB, pl *loopback.PipeListener, dir string) config {
	tb.Helper()
	args := []string{"-addr", pl.Addr().String(), "-out", dir}
	cfg, err := parseFlags(args, io.Discard)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.dial = pl.DialContext
	return cfg
}

// hangs is a fake server's handler that sends reply, then neither sends
// more nor closes until the client hangs up.
func hangs(reply []byte) func(net.Conn) {
	return func(c net.Conn) {
		_, _ = c.Write(reply)
		_, _ = io.Copy(io.Discard, c)
	}
}

func TestClientGivesUp(t *testing.T) {
	for _, proto := range []string{"json", "stream"} {
		reply := jsonReply("photo.png", randomBytes(1<<20, 3))
		if proto == "stream" {
			reply = streamReply("photo.png", randomBytes(1<<20, 3))
		}
		tests := []struct {
			name  string
			reply []byte
			want  string
		}{
			{"gives up on a server that never writes", nil,
				"no data from 127.0.0.1:1 for 30s (after 0 bytes)"},
			{"gives up on a server that stops halfway", reply[:len(reply)/2],
				"no data from 127.0.0.1:1 for 30s"},
			{"says so when the server does not close", reply,
				"server did not close the connection"},
		}
		for _, tc := range tests {
			t.Run(proto+" mode "+tc.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					dir := outFolder(t)
					took, err := fetchFromPipe(t, context.Background(),
						hangs(tc.reply), func(c *config) { c.proto, c.out = proto, dir })
					if !errors.Is(err, os.ErrDeadlineExceeded) {
						t.Errorf("got %q, want a deadline error", fmt.Sprint(err))
					}
					if err == nil || !strings.Contains(err.Error(), tc.want) {
						t.Errorf("got %q, want it to say %q", fmt.Sprint(err), tc.want)
					}
					if took != 30*time.Second {
						t.Errorf("gave up after %v, want the 30s of -timeout", took)
					}
					if files := folder(t, dir); len(files) != 1 || files["photo.png"] != "old" {
						t.Errorf("the folder changed: %v", describe(files))
					}
				})
			})
		}
	}

	t.Run("Ctrl-C in the middle leaves nothing behind", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			reply := streamReply("photo.png", randomBytes(1<<20, 4))
			ctx, cancel := context.WithCancel(context.Background())
			dir := outFolder(t)
			_, err := fetchFromPipe(t, ctx, func(c net.Conn) {
				_, _ = c.Write(reply[:len(reply)/2])
				cancel() // as Ctrl-C would
				_, _ = io.Copy(io.Discard, c)
			}, func(c *config) { c.proto, c.out = "stream", dir })
			if err == nil || !strings.Contains(err.Error(), "interrupted") {
				t.Errorf("got %q, want interrupted", fmt.Sprint(err))
			}
			if files := folder(t, dir); len(files) != 1 || files["photo.png"] != "old" {
				t.Errorf("the folder changed: %v", describe(files))
			}
		})
	})
}

func TestClientAsksWhetherTheServerRuns(t *testing.T) {
	// A closed listener refuses at once, as a port where nothing listens
	// does (Windows takes two seconds to say so).
	pl := loopback.NewPipeListener()
	_ = pl.Close() // a pipe listener's Close does not fail
	cfg := pipeConfig(t, pl, t.TempDir())
	err := get(context.Background(), cfg, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "is the server running?") {
		t.Errorf("got %q, want the hint to start the server", fmt.Sprint(err))
	}
}
