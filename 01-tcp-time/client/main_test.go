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
		if err == nil || !strings.Contains(err.Error(), "is the server running, on that address?") {
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
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // ends the wait of a client that never gives up
		done := make(chan error, 1)
		go func() {
			args := []string{"-udp", "-addr", addr, "-timeout", "50ms"}
			done <- run(ctx, args, nil, io.Discard, io.Discard)
		}()
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("the client was still waiting for a datagram after " +
				"10s, want it to give up after its -timeout 50ms")
		}
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
