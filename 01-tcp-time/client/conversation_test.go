package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// askVerbose runs the client with args and returns what it printed on
// stdout and on stderr, and its error.
func askVerbose(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, nil, &out, &errOut)
	return out.String(), errOut.String(), err
}

// wantLines checks that got holds each of want, in this order. A want
// that starts or ends with a line end matches the start or the end of a
// line.
func wantLines(tb testing.TB, got string, want ...string) {
	tb.Helper()
	rest := "\n" + got
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			tb.Errorf("-v did not print %s (after the lines before it); "+
				"it printed:\n%s", shown(strings.Trim(w, "\n")), asLines(got))
			return
		}
		// The next want may start with the line end this one ends with.
		rest = rest[i+len(strings.TrimSuffix(w, "\n")):]
	}
}

// udpServer answers one datagram with reply, and returns its address.
func udpServer(t *testing.T, reply string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 512)
		_, from, err := pc.ReadFrom(buf)
		if err != nil {
			return // closed at the end of the test
		}
		_, _ = pc.WriteTo([]byte(reply), from)
	}()
	return pc.LocalAddr().String()
}

func TestClientShowsTheConversation(t *testing.T) {
	t.Run("-v shows the ends, what was received and who closed", func(t *testing.T) {
		addr := loopback.Serve(t, replies(sample+"\r\n"))
		out, log, err := askVerbose(t, "-v", "-addr", addr)
		if err != nil {
			t.Fatal(err)
		}
		wantLines(t, log, "* connected to "+addr+" from 127.0.0.1:",
			"\nS: \""+sample+`\r\n"`+"\n",
			"* the server closed the connection (C: 0 bytes, S: 28 bytes)\n")
		if want := sample + "\n"; out != want {
			t.Errorf("printed %q on stdout, want %q as without -v", out, want)
		}
	})

	t.Run("-v over UDP shows both datagrams", func(t *testing.T) {
		addr := udpServer(t, sample+"\r\n")
		_, log, err := askVerbose(t, "-v", "-udp", "-addr", addr)
		if err != nil {
			t.Fatal(err)
		}
		wantLines(t, log, "* connected to "+addr+" from 127.0.0.1:",
			"\nC: \"\"\n", // an empty datagram
			"\nS: \""+sample+`\r\n"`+"\n")
	})

	t.Run("-v shows a reply without a line end, then the close", func(t *testing.T) {
		addr := loopback.Serve(t, replies(sample))
		_, log, err := askVerbose(t, "-v", "-addr", addr)
		if err != nil {
			t.Fatal(err)
		}
		wantLines(t, log, "\nS: \""+sample+"\"\n",
			"* the server closed the connection (C: 0 bytes, S: 26 bytes)\n")
	})

	t.Run("-v says the client hung up on a reply too long", func(t *testing.T) {
		addr := loopback.Serve(t, replies(strings.Repeat("x", 2000)))
		_, log, _ := askVerbose(t, "-v", "-addr", addr)
		wantLines(t, log, "S: \""+strings.Repeat("x", 200)+"\" (1025 bytes)\n",
			"* the client closed the connection (C: 0 bytes, S: 1025 bytes)\n")
	})

	t.Run("-v says the client hung up on a server that stopped halfway", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			cfg := pipeServer(t, 5*time.Second, func(c net.Conn) {
				_, _ = io.WriteString(c, "2026-11") // then nothing
				neverWrites(c)
			})
			var buf bytes.Buffer
			cfg.tap = log.New(&buf, "", 0)
			_ = askWithin(t, cfg, io.Discard) // a timeout
			wantLines(t, buf.String(), "\nS: \"2026-11\"\n",
				"* the client closed the connection (C: 0 bytes, S: 7 bytes)\n")
		})
	})
}

func TestClientQuotesTheWire(t *testing.T) {
	hostile := []struct{ name, reply, want string }{
		{"an escape sequence", "\x1b[2Jgotcha\r\n", `S: "\x1b[2Jgotcha\r\n"` + "\n"},
		{"a C1 control byte", "\x9b2Jgotcha\r\n", `S: "\x9b2Jgotcha\r\n"` + "\n"},
		{"a carriage return inside a line", "12:00\rfake\r\n", `S: "12:00\rfake\r\n"` + "\n"},
		{"two lines, on one line", "12:00\r\n\x1b[1m13:00\r\n",
			`S: "12:00\r\n\x1b[1m13:00\r\n"` + "\n"},
	}
	for _, tc := range hostile {
		for _, network := range []string{"tcp", "udp"} {
			t.Run("-v over "+network+" quotes "+tc.name, func(t *testing.T) {
				args := []string{"-v", "-addr", loopback.Serve(t, replies(tc.reply))}
				if network == "udp" {
					args = []string{"-v", "-udp", "-addr", udpServer(t, tc.reply)}
				}
				_, log, err := askVerbose(t, args...)
				if err != nil {
					t.Fatal(err)
				}
				wantLines(t, log, tc.want)
				for _, c := range []string{"\x1b", "\x9b", "\r"} {
					if strings.Contains(log, c) {
						t.Errorf("got %q, want no %q printed as it is", log, c)
					}
				}
			})
		}
	}
}

func TestClientIsQuietWithoutV(t *testing.T) {
	t.Run("over TCP nothing goes to stderr", func(t *testing.T) {
		addr := loopback.Serve(t, replies(sample+"\r\n"))
		out, log, err := askVerbose(t, "-addr", addr)
		if err != nil {
			t.Fatal(err)
		}
		if log != "" {
			t.Errorf("got stderr %q, want nothing", log)
		}
		if want := sample + "\n"; out != want {
			t.Errorf("got %q, want %q", out, want)
		}
	})

	t.Run("over UDP nothing goes to stderr", func(t *testing.T) {
		addr := udpServer(t, sample+"\r\n")
		_, log, err := askVerbose(t, "-udp", "-addr", addr)
		if err != nil {
			t.Fatal(err)
		}
		if log != "" {
			t.Errorf("got stderr %q, want nothing", log)
		}
	})
}
