package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// sendVia runs the client, as run does, with args and a one-line message
// to a@example.com, over an in-memory connection to pl.
func sendVia(t *testing.T, pl *loopback.PipeListener, args ...string) (string, error) {
	t.Helper()
	args = append([]string{"-to", "a@example.com", "-body", "hi"}, args...)
	cfg, err := parseFlags(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn // closed if the client never gives up
	var mu sync.Mutex
	cfg.s.dial = func(ctx context.Context, nw, addr string) (net.Conn, error) {
		conn, err := pl.DialContext(ctx, nw, addr)
		mu.Lock()
		defer mu.Unlock()
		conns = append(conns, conn)
		return conn, err
	}
	var stdout bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- cfg.deliver(context.Background(), &stdout) }()
	select {
	case err := <-done:
		return stdout.String(), err
	case <-time.After(time.Hour): // on the fake clock of the test's bubble
		mu.Lock()
		for _, conn := range conns {
			if conn != nil {
				_ = conn.Close() // lets the client, and the test, end
			}
		}
		mu.Unlock()
		<-done
		t.Fatal("the client never gave up: an hour went by on a silent " +
			"connection (is its deadline set from ctx?)")
		return "", nil
	}
}

// serveOne accepts one connection on pl after wait (a busy server, with
// the client in its queue meanwhile) and answers it as a mail server
// would, until the client quits or sends a command that starts with
// stall, or with stall ".", the end of a message; then it says nothing
// more.
func serveOne(pl *loopback.PipeListener, wait time.Duration, stall string) {
	time.Sleep(wait)
	conn, err := pl.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	answer(conn, stall)
}

// answer is serveOne's conversation on conn.
func answer(conn net.Conn, stall string) {
	r := bufio.NewReader(conn)
	say := func(reply string) { _, _ = io.WriteString(conn, reply+"\r\n") }
	say("220 fake")
	for {
		line, err := r.ReadString('\n')
		switch {
		case err != nil:
			return
		case stall != "" && strings.HasPrefix(line, stall):
			_, _ = io.Copy(io.Discard, conn) // until the client gives up
			return
		case strings.HasPrefix(line, "EHLO"):
			say("250-fake\r\n250 AUTH PLAIN")
		case strings.HasPrefix(line, "AUTH"):
			say("235 welcome")
		case strings.HasPrefix(line, "DATA"):
			say("354 go ahead")
			for line != ".\r\n" && err == nil {
				line, err = r.ReadString('\n')
			}
			if stall == "." {
				_, _ = io.Copy(io.Discard, conn) // until the client gives up
				return
			}
			say("250 saved")
		case strings.HasPrefix(line, "QUIT"):
			say("221 bye")
			return
		default:
			say("250 OK")
		}
	}
}

func TestTimeout(t *testing.T) {
	t.Run("the client gives up at -timeout when the server stalls", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			pl := loopback.NewPipeListener()
			defer pl.Close()
			go serveOne(pl, 0, "MAIL")
			start := time.Now()
			stdout, err := sendVia(t, pl)
			if !errors.Is(err, os.ErrDeadlineExceeded) ||
				!strings.Contains(err.Error(), "(-timeout 30s is over)") {
				t.Errorf("got %v, want a deadline error naming -timeout 30s", err)
			}
			if waited := time.Since(start); waited != 30*time.Second {
				t.Errorf("gave up after %v, want 30s", waited)
			}
			if stdout != "" {
				t.Errorf("printed %q, want nothing", stdout)
			}
		})
	})

	t.Run("the client waits its turn in a busy server's queue", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			// A server at capacity takes a connection when a slot
			// frees: the sink can take 10s, and more under attack.
			pl := loopback.NewPipeListener()
			defer pl.Close()
			go serveOne(pl, 20*time.Second, "")
			stdout, err := sendVia(t, pl)
			if err != nil || !strings.HasPrefix(stdout, "sent to 1 recipient ") {
				t.Errorf("got %q, %v; want it sent", stdout, err)
			}
		})
	})
}

func TestAfterTheFinalDot(t *testing.T) {
	t.Run("a timeout after the final dot says the message may be delivered",
		func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				pl := loopback.NewPipeListener()
				defer pl.Close()
				go serveOne(pl, 0, ".")
				stdout, err := sendVia(t, pl)
				if want := "(the message may still have been delivered: " +
					"check before sending again)"; !errors.Is(err, os.ErrDeadlineExceeded) ||
					!strings.Contains(err.Error(), want) {
					t.Errorf("got %v, want a deadline error containing %q", err, want)
				}
				if stdout != "" {
					t.Errorf("printed %q, want nothing", stdout)
				}
			})
		})

	t.Run("a reply before the final dot is not taken for its answer", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			pl := loopback.NewPipeListener()
			defer pl.Close()
			go earlyReply(pl)
			stdout, err := sendVia(t, pl)
			if want := `end of DATA: the server said 250 "OK" (before the final ` +
				"dot: the message was not sent)"; err == nil ||
				!strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want an error containing %q", err, want)
			}
			if stdout != "" {
				t.Errorf("printed %q, want nothing: the message was not sent", stdout)
			}
		})
	})
}

// earlyReply accepts one connection on pl and answers 250 after the first
// line of the message, as if that line were all of it.
func earlyReply(pl *loopback.PipeListener) {
	conn, err := pl.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(reply string) { _, _ = io.WriteString(conn, reply+"\r\n") }
	say("220 fake")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if line == "DATA\r\n" {
			break
		}
		say("250 OK")
	}
	say("354 go ahead")
	_, _ = r.ReadString('\n')                     // the first line of the message
	go func() { _, _ = io.Copy(io.Discard, r) }() // the rest, until closed
	say("250 OK")
}

func TestImplicitTLS(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg, certPEM := loopback.TLSConfig(t)
		ca := writeFile(t, "ca.pem", certPEM)
		pl := loopback.NewPipeListener()
		defer pl.Close()
		go func() {
			conn, err := pl.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
			tlsConn := tls.Server(conn, cfg)
			if err := tlsConn.Handshake(); err != nil {
				t.Errorf("handshake: %v", err)
				return
			}
			answer(tlsConn, "")
		}()
		stdout, err := sendVia(t, pl, "-tls", "implicit", "-ca", ca)
		if err != nil || !strings.HasPrefix(stdout, "sent to 1 recipient ") {
			t.Errorf("got %q, %v; want it sent over TLS", stdout, err)
		}
	})
}
