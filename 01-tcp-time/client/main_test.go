package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

const sample = "2026-11-25 13:07:14.622228"

// ask runs the client with args and returns what it printed and its error.
func ask(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var stdout bytes.Buffer
	err := run(context.Background(), args, nil, &stdout, io.Discard)
	return stdout.String(), err
}

// errText is err's text for a failure message, in Go's quoted form: what
// came from the network in it cannot drive the terminal, even when the
// client under test forgot to quote it.
func errText(err error) string { return fmt.Sprintf("%q", fmt.Sprint(err)) }

// replies is a fake time server's handler that writes reply and closes.
func replies(reply string) func(net.Conn) {
	return func(c net.Conn) { _, _ = io.WriteString(c, reply) }
}

// neverWrites is a fake server's handler that accepts and then sends
// nothing, until the client hangs up.
func neverWrites(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

func TestClientPrintsTheTime(t *testing.T) {
	lines := []struct{ name, reply string }{
		{"prints the reply as one line", sample + "\r\n"},
		{"prints a reply without a line ending, as Python's server", sample},
	}
	for _, tc := range lines {
		t.Run(tc.name, func(t *testing.T) {
			addr := loopback.Serve(t, replies(tc.reply))
			got, err := ask(t, "-addr", addr)
			if err != nil {
				t.Fatal(err)
			}
			if want := sample + "\n"; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}

	quoted := []struct{ name, reply, want string }{
		{"an escape sequence", "\x1b[2Jgotcha\r\n", `"\x1b[2Jgotcha"`},
		{"a C1 control byte that is not UTF-8", "\x9b2Jgotcha", `"\x9b2Jgotcha"`},
		{"a second line", "12:00\r\n13:00\r\n", `"12:00\r\n13:00"`},
	}
	for _, tc := range quoted {
		t.Run("quotes "+tc.name+" rather than print it", func(t *testing.T) {
			addr := loopback.Serve(t, replies(tc.reply))
			got, err := ask(t, "-addr", addr)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.want + "\n"; got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}

	t.Run("asks over UDP with -udp", func(t *testing.T) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		go func() {
			buf := make([]byte, 512)
			_, from, err := pc.ReadFrom(buf)
			if err != nil {
				return // closed at the end of the test
			}
			_, _ = pc.WriteTo([]byte(sample+"\r\n"), from)
		}()
		got, err := ask(t, "-udp", "-addr", pc.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		if want := sample + "\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

func TestClientFailures(t *testing.T) {
	t.Run("a refused connection asks whether the server runs", func(t *testing.T) {
		// Listen, note the port, and close: now nothing listens there.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()

		_, err = ask(t, "-addr", addr)
		if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, wsaeconnrefused) {
			t.Errorf("got %s, want connection refused", errText(err))
		}
		if err == nil || !strings.Contains(err.Error(), "is the server running?") {
			t.Errorf("got %s, want the hint to start the server", errText(err))
		}
	})

	t.Run("gives up when no UDP reply comes", func(t *testing.T) {
		// A UDP socket that never answers: the datagram is received
		// and ignored, and nothing tells the client.
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		addr := pc.LocalAddr().String()
		_, err = ask(t, "-udp", "-addr", addr, "-timeout", "50ms")
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("got %s, want a deadline error", errText(err))
		}
		if err == nil || !strings.Contains(err.Error(), "-udp") {
			t.Errorf("got %s, want the hint to start the server with -udp", errText(err))
		}
	})

	bad := []struct{ name, reply, want string }{
		{"an empty reply is an error", "", "empty reply"},
		{"a reply longer than a time is an error",
			strings.Repeat("x", maxReply+1), "more than 1024 bytes"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			addr := loopback.Serve(t, replies(tc.reply))
			out, err := ask(t, "-addr", addr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %s, want an error that says %q", errText(err), tc.want)
			}
			if out != "" {
				t.Errorf("printed %q, want nothing", out)
			}
		})
	}

	t.Run("canceling the context interrupts the read",
		testCancelInterruptsRead)
}

// testCancelInterruptsRead checks that canceling the context stops a
// client waiting for a server that never writes.
func testCancelInterruptsRead(t *testing.T) {
	accepted := make(chan struct{})
	addr := loopback.Serve(t, func(c net.Conn) {
		close(accepted)
		neverWrites(c)
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-accepted
		cancel()
	}()
	err := run(ctx, []string{"-addr", addr}, nil, io.Discard, io.Discard)
	if err == nil || err.Error() != "interrupted" {
		t.Errorf("got %s, want interrupted", errText(err))
	}
}

// pipeServer starts a fake time server on an in-memory listener, for a
// test inside a synctest bubble: handle is called for each connection,
// which is closed when it returns. It returns a config for the client
// with the given timeout.
func pipeServer(t *testing.T, timeout time.Duration, handle func(net.Conn)) config {
	t.Helper()
	ln := loopback.NewPipeListener()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed by the cleanup
			}
			handle(conn)
			_ = conn.Close() // a pipe's Close does not fail
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close() // a pipe listener's Close does not fail
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
			err := askTime(context.Background(), cfg, io.Discard)
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
			err := askTime(context.Background(), cfg, io.Discard)
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
		err := askTime(context.Background(), cfg, &stdout)
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
