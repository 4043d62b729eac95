package main

import (
	"context"
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

// sink is serve on an in-memory listener, for a test inside a
// testing/synctest bubble. Time there is fake: a minute's timeout passes
// in microseconds, and nothing fires early because the machine is busy.
type sink struct {
	dir    string
	pl     *loopback.PipeListener
	log    loopback.Buffer // stderr
	report loopback.Buffer // stdout
	cancel context.CancelFunc
	done   chan struct{}
	err    error // what serve returned; read after done is closed
}

// startSink runs serve as run would with the flags args (and
// SMTP_PASSWORD "secret"), saving in a new folder. Call it inside
// synctest.Test; it stops when the test ends.
func startSink(t *testing.T, args ...string) *sink {
	t.Helper()
	return startSinkOn(t, nil, args...)
}

// startSinkOn is startSink, with each connection that serve accepts
// passed through wrap first, unless wrap is nil.
func startSinkOn(t *testing.T, wrap func(net.Conn) net.Conn,
	args ...string) *sink {
	t.Helper()
	return startSinkWith(t, password, wrap, args...)
}

// startSinkWith is startSinkOn with the environment env.
func startSinkWith(t *testing.T, env map[string]string,
	wrap func(net.Conn) net.Conn, args ...string) *sink {
	t.Helper()
	s := &sink{dir: t.TempDir(), pl: loopback.NewPipeListener(),
		done: make(chan struct{})}
	getenv := func(key string) string { return env[key] }
	cfg, err := parseFlags(append([]string{"-out", s.dir}, args...), getenv,
		io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.open(&s.report, &s.log); err != nil {
		t.Fatal(err)
	}
	var ln net.Listener = s.pl
	if wrap != nil {
		ln = wrapped{s.pl, wrap}
	}
	var ctx context.Context
	ctx, s.cancel = context.WithCancel(context.Background())
	go func() {
		defer close(s.done)
		s.err = serve(ctx, ln, cfg)
	}()
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("serve returned %v, want nil", err)
		}
		_ = cfg.mailbox.Close() // serve is done with it
	})
	return s
}

// stop cancels serve's context, as Ctrl-C does, and returns what serve
// returned.
func (s *sink) stop() error {
	s.cancel()
	<-s.done
	return s.err
}

// dial connects to the sink and reads its greeting. The conversation
// may take ten minutes of the bubble's time, longer than any timeout of
// the server.
func (s *sink) dial(tb testing.TB) *client {
	tb.Helper()
	conn, err := s.pl.Dial()
	if err != nil {
		tb.Fatal(err)
	}
	return greet(tb, conn, 10*time.Minute)
}

// wrapped is a listener that passes each connection it accepts through
// wrap.
type wrapped struct {
	net.Listener
	wrap func(net.Conn) net.Conn
}

func (l wrapped) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.wrap(conn), nil
}

// fromFar makes conn seem to come from another machine.
func fromFar(conn net.Conn) net.Conn { return farConn{conn} }

type farConn struct{ net.Conn }

// RemoteAddr is in a block kept for documentation (RFC 5737).
func (farConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 40001}
}

func TestIdleClientsGet421(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		text  string // message text sent before going quiet
	}{
		{"a client that says nothing gets 421 after -timeout", nil, ""},
		{"a client that stops in the middle of a message gets 421, nothing saved",
			envelope, "Subject: half\r\n\r\nthe first half"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := startSink(t, "-timeout", "1m")
				c := s.dial(t)
				c.play(s.dir, tt.steps...)
				if tt.text != "" {
					c.write(tt.text)
				}
				start := time.Now()
				if got := c.readReply(); !strings.HasPrefix(got, "421 ") {
					t.Fatalf("got %q, want 421", got)
				}
				if waited := time.Since(start); waited != time.Minute {
					t.Errorf("got 421 after %v, want 1m0s", waited)
				}
				c.expectEOF()
				// Stop waits for the session, which removes its
				// temporary file before it ends.
				if err := s.stop(); err != nil {
					t.Fatal(err)
				}
				entries, err := os.ReadDir(s.dir)
				if err != nil || len(entries) != 0 {
					t.Errorf("got %v in %s (%v), want nothing", entries, s.dir, err)
				}
			})
		})
	}
}

func TestCtrlC(t *testing.T) {
	t.Run("a session waiting for a command gets 421 at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t)
			c := s.dial(t)
			c.play(s.dir, step{"EHLO test", "250-"})
			start := time.Now()
			s.cancel()
			if got := c.readReply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			if waited := time.Since(start); waited != 0 {
				t.Errorf("got 421 after %v, want it at once", waited)
			}
			c.expectEOF()
		})
	})

	t.Run("a message in hand is saved, then the session gets 421", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t)
			c := s.dial(t)
			c.play(s.dir, envelope...)
			c.write("Subject: in hand\r\n\r\nthe first half\r\n")
			s.cancel()
			synctest.Wait() // serve has told the session
			if got := s.log.String(); !strings.Contains(got, "stopping: waiting") {
				t.Errorf("got log %q, want stopping: waiting...", got)
			}
			c.write("the second half\r\n.\r\n")
			if got := c.readReply(); !strings.HasPrefix(got, "250 ") {
				t.Errorf("got %q, want 250: the message saved", got)
			}
			if got := c.readReply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			if err := s.stop(); err != nil {
				t.Errorf("serve returned %v, want nil", err)
			}
			_, saved := onlyMessage(t, s.dir)
			checkSaved(t, saved, "ESMTP",
				[]byte("Subject: in hand\r\n\r\nthe first half\r\nthe second half\r\n"))
		})
	})

	t.Run("a message that never ends is cut off after the grace period", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t)
			c := s.dial(t)
			c.play(s.dir, envelope...)
			c.write("Subject: never ends\r\n\r\n")
			start := time.Now()
			if err := s.stop(); err != nil {
				t.Errorf("serve returned %v, want nil", err)
			}
			if waited := time.Since(start); waited != 10*time.Second {
				t.Errorf("serve returned after %v, want the grace of 10s", waited)
			}
			c.expectEOF()
			entries, err := os.ReadDir(s.dir)
			if err != nil || len(entries) != 0 {
				t.Errorf("got %v in %s (%v), want nothing left", entries, s.dir, err)
			}
		})
	})
}

// resetByPeer makes every read of conn fail, as a connection the client
// reset does (a killed client, or one that means to).
func resetByPeer(conn net.Conn) net.Conn { return resetConn{conn} }

type resetConn struct{ net.Conn }

func (resetConn) Read([]byte) (int, error) {
	return 0, &net.OpError{Op: "read", Net: "tcp",
		Err: os.NewSyscallError("read", syscall.ECONNRESET)}
}

func TestAResetConnectionIsNotLogged(t *testing.T) {
	// A client that resets its connection has hung up: one that does it
	// on purpose, many times a second, must not fill the log.
	synctest.Test(t, func(t *testing.T) {
		s := startSinkOn(t, resetByPeer)
		s.dial(t)
		synctest.Wait() // the session has read the reset, and ended
		if got := s.log.String(); got != "" {
			t.Errorf("got log %q, want nothing", got)
		}
	})
}
