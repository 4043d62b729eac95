package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// These tests run on synctest's fake clock: the client's waits between
// tries are real to it, and take no time.

// retried is what a run of the client against a busyThen server did.
type retried struct {
	err    error
	took   time.Duration
	tries  int    // connections the server saw
	stderr string // the client's
}

// busyThen is a fake server that tells its first busy clients that it
// is busy, then sends reply.
type busyThen struct {
	busy  int
	reply []byte
}

// fetch runs the client with flags against the server s. Call it inside
// a bubble.
func (s busyThen) fetch(t *testing.T, ctx context.Context, flags ...string) retried {
	t.Helper()
	pl := loopback.NewPipeListener()
	defer pl.Close() // also on t.Fatalf, which would leave Accept waiting
	tries := make(chan int, 1)
	go func() {
		n := 0
		for conn, err := pl.Accept(); err == nil; conn, err = pl.Accept() {
			n++
			answer := s.reply
			if n <= s.busy {
				answer = []byte(busyLine)
			}
			_, _ = conn.Write(answer) // the client may hang up first
			_ = conn.Close()          // a pipe's Close does not fail
		}
		tries <- n
	}()
	args := append([]string{"-addr", pl.Addr().String()}, flags...)
	var stderr bytes.Buffer
	cfg, err := parseFlags(args, &stderr)
	if err != nil {
		problem, _, _ := strings.Cut(stderr.String(), "\n")
		t.Fatalf("flags %q: %v: %s", args, err, problem)
	}
	cfg.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := pl.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return tcpLike{conn}, nil
	}
	start := time.Now()
	err = get(ctx, cfg, &bytes.Buffer{}, &stderr)
	took := time.Since(start)
	_ = pl.Close() // ends the server; a pipe listener's Close does not fail
	return retried{err, took, <-tries, stderr.String()}
}

// tcpLike is a pipe's end whose SetReadDeadline does not fail once the
// other end has closed, as a TCP connection's does not (net.Pipe's says
// io.ErrClosedPipe): the next Read says io.EOF.
type tcpLike struct{ net.Conn }

func (c tcpLike) SetReadDeadline(t time.Time) error {
	_ = c.Conn.SetReadDeadline(t) // see above; Read reports a closed end
	return nil
}

// waits counts the lines in which the client says it waits.
func waits(stderr string) int { return strings.Count(stderr, "trying again in") }

func TestClientRetriesWhenBusy(t *testing.T) {
	t.Run("it tries again, later each time, and gets the file",
		func(t *testing.T) { synctest.Test(t, testRetryGetsTheFile) })

	t.Run("it gives up after -retry tries", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			got := busyThen{100, nil}.fetch(t, t.Context(),
				"-out", t.TempDir(), "-retry", "3")
			if !errors.Is(got.err, errBusy) {
				t.Errorf("got %q, want server busy", fmt.Sprint(got.err))
			}
			if got.tries != 4 || waits(got.stderr) != 3 {
				t.Errorf("connected %d times and said %d waits, want 4 and 3:\n%s",
					got.tries, waits(got.stderr), got.stderr)
			}
			// 0.5s, 1s and 2s, each between half and all of it.
			if got.took < 1750*time.Millisecond || got.took > 3500*time.Millisecond {
				t.Errorf("took %v, want between 1.75s and 3.5s", got.took)
			}
		})
	})

	t.Run("it does not try again when the answer is not busy", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			got := busyThen{0, []byte(timeLine)}.fetch(t, t.Context(),
				"-out", t.TempDir(), "-retry", "3")
			if !errors.Is(got.err, errNotFileServer) {
				t.Errorf("got %q, want not a file server", fmt.Sprint(got.err))
			}
			if got.tries != 1 || got.took != 0 {
				t.Errorf("connected %d times in %v, want once at once:\n%s",
					got.tries, got.took, got.stderr)
			}
		})
	})

	t.Run("Ctrl-C ends the wait", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			time.AfterFunc(100*time.Millisecond, cancel) // within the first wait
			got := busyThen{100, nil}.fetch(t, ctx, "-out", t.TempDir(),
				"-retry", "3")
			if got.err == nil || !strings.Contains(got.err.Error(), "interrupted") {
				t.Errorf("got %q, want interrupted", fmt.Sprint(got.err))
			}
			if got.tries != 1 || got.took != 100*time.Millisecond {
				t.Errorf("connected %d times in %v, want once, ending at "+
					"Ctrl-C after 100ms", got.tries, got.took)
			}
		})
	})

	t.Run("without -retry it tries once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			got := busyThen{1, nil}.fetch(t, t.Context(), "-out", t.TempDir())
			if !errors.Is(got.err, errBusy) || got.tries != 1 {
				t.Errorf("got %q after %d tries, want server busy after 1",
					fmt.Sprint(got.err), got.tries)
			}
		})
	})
}

// testRetryGetsTheFile runs the client against a server busy twice.
func testRetryGetsTheFile(t *testing.T) {
	file := randomBytes(1000, 5)
	dir := t.TempDir()
	got := busyThen{2, jsonReply("photo.png", file)}.fetch(t,
		t.Context(), "-out", dir, "-retry", "5")
	if got.err != nil {
		t.Fatalf("got %v, want the file saved after 2 busy answers", got.err)
	}
	if got.tries != 3 || waits(got.stderr) != 2 {
		t.Errorf("connected %d times and said %d waits, want 3 and 2:\n%s",
			got.tries, waits(got.stderr), got.stderr)
	}
	// 0.5s then 1s, each between half and all of it.
	if got.took < 750*time.Millisecond || got.took > 1500*time.Millisecond {
		t.Errorf("took %v, want between 0.75s and 1.5s", got.took)
	}
	if files := folder(t, dir); files["photo.png"] != string(file) {
		t.Errorf("the folder holds %v, want photo.png", describe(files))
	}
}
