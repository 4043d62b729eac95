package loopback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestServe(t *testing.T) {
	t.Run("each connection reaches the handler", func(t *testing.T) {
		addr := Serve(t, func(c net.Conn) {
			_, _ = io.Copy(c, c) // echo until the client closes
		})
		for i := range 3 {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("hello %d", i)
			if _, err := io.WriteString(conn, want); err != nil {
				t.Fatal(err)
			}
			if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(conn)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Errorf("got %q, want %q", got, want)
			}
			_ = conn.Close()
		}
	})

	t.Run("the address is on loopback", func(t *testing.T) {
		addr := Serve(t, func(net.Conn) {})
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			t.Fatal(err)
		}
		if host != "127.0.0.1" {
			t.Errorf("got host %q, want 127.0.0.1", host)
		}
	})

	t.Run("cleanup wakes a blocked handler and waits for it", func(t *testing.T) {
		var addr string
		var returned atomic.Bool
		accepted := make(chan struct{})
		t.Run("inner", func(t *testing.T) {
			addr = Serve(t, func(c net.Conn) {
				close(accepted)
				_, _ = io.Copy(io.Discard, c) // blocks: the client never closes
				returned.Store(true)
			})
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = conn.Close() })
			<-accepted
		})
		if !returned.Load() {
			t.Error("the handler was still running after cleanup")
		}
		if conn, err := net.Dial("tcp", addr); err == nil {
			_ = conn.Close()
			t.Error("dial after cleanup succeeded, want the listener closed")
		}
	})
}

// fakeServer is a run function like the chapters' servers: it listens on
// the -addr it is given, prints the listening line, and serves until ctx is
// canceled. It returns stopErr when it stops.
func fakeServer(stopErr error) RunFunc {
	return func(ctx context.Context, args []string, getenv func(string) string,
		stdout, stderr io.Writer) error {
		ln, err := net.Listen("tcp", args[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "greeting %s\n", getenv("GREETING"))
		fmt.Fprintf(stderr, "listening on %s\n", ln.Addr())
		<-ctx.Done()
		_ = ln.Close()
		return stopErr
	}
}

func TestStart(t *testing.T) {
	t.Run("returns the address the program listens on", func(t *testing.T) {
		p := Start(t, fakeServer(nil), []string{"127.0.0.1:0"}, nil)
		conn, err := net.Dial("tcp", p.Addr)
		if err != nil {
			t.Fatalf("dial %s: %v", p.Addr, err)
		}
		_ = conn.Close()
		if err := p.Stop(); err != nil {
			t.Errorf("Stop: got %v, want nil", err)
		}
		if conn, err := net.Dial("tcp", p.Addr); err == nil {
			_ = conn.Close()
			t.Error("dial after Stop succeeded, want the program stopped")
		}
	})

	t.Run("passes the environment and keeps the output", func(t *testing.T) {
		env := map[string]string{"GREETING": "hi"}
		p := Start(t, fakeServer(nil), []string{"127.0.0.1:0"}, env)
		if got, want := p.Stdout(), "greeting hi\n"; got != want {
			t.Errorf("stdout: got %q, want %q", got, want)
		}
		if got := p.Stderr(); !strings.Contains(got, "listening on "+p.Addr) {
			t.Errorf("stderr: got %q, want the listening line", got)
		}
	})

	t.Run("Stop returns what run returned", func(t *testing.T) {
		boom := errors.New("boom")
		p := Start(t, fakeServer(boom), []string{"127.0.0.1:0"}, nil)
		if err := p.Stop(); !errors.Is(err, boom) {
			t.Errorf("got %v, want %v", err, boom)
		}
		if err := p.Stop(); !errors.Is(err, boom) {
			t.Errorf("second Stop: got %v, want %v", err, boom)
		}
	})

	t.Run("Stop reports a program that does not stop", testStopStubborn)

	t.Run("fails the test when run returns before listening", func(t *testing.T) {
		ft := &fakeTB{TB: t}
		failing := func(context.Context, []string, func(string) string,
			io.Writer, io.Writer) error {
			return errors.New("address already in use")
		}
		if p := Start(ft, failing, nil, nil); p != nil {
			t.Errorf("got a program, want nil")
		}
		if !strings.Contains(ft.fatal, "address already in use") {
			t.Errorf("got failure %q, want it to give run's error", ft.fatal)
		}
	})
}

// testStopStubborn: Stop gives up on a run that ignores ctx, says so,
// and says so again when called again.
func testStopStubborn(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	stubborn := func(ctx context.Context, _ []string, _ func(string) string,
		_, stderr io.Writer) error {
		fmt.Fprintln(stderr, "listening on 127.0.0.1:1")
		<-release // ignores ctx
		return nil
	}
	p := Start(t, stubborn, nil, nil)
	// Only the stubborn stop gets a short bound: starting is
	// well-behaved, and gets the usual seconds.
	defer func(d time.Duration) { StartTimeout = d }(StartTimeout)
	StartTimeout = 50 * time.Millisecond
	if err := p.Stop(); err == nil {
		t.Error("got nil, want an error saying run did not return")
	}
	if err := p.Stop(); err == nil {
		t.Error("second Stop: got nil, want the same error")
	}
}

// fakeTB records a fatal failure instead of ending the test, so the test can
// check that Start fails when it should.
type fakeTB struct {
	testing.TB
	fatal string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatal = fmt.Sprintf(format, args...)
}

func TestBuildAndRun(t *testing.T) {
	p := BuildAndRun(t, "./testdata/hello", []string{"world"}, "GREETING=hello")
	if got, want := p.NextLine(t), "hello world"; got != want {
		t.Errorf("stdout: got %q, want %q", got, want)
	}
	conn, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatalf("dial %s: %v", p.Addr, err)
	}
	_ = conn.Close()
}
