package loopback

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

func TestPipeListener(t *testing.T) {
	t.Run("a dialed connection reaches Accept with loopback addresses", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ln, client := dialPipe(t)
			server, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			if got, want := server.RemoteAddr(), client.LocalAddr(); got != want {
				t.Errorf("server sees the client at %v, want %v", got, want)
			}
			host, _, err := net.SplitHostPort(server.RemoteAddr().String())
			if err != nil || !net.ParseIP(host).IsLoopback() {
				t.Errorf("got remote address %v, want a loopback address",
					server.RemoteAddr())
			}
			go func() {
				_, _ = io.WriteString(server, "hello") // checked by the read
				_ = server.Close()
			}()
			got, err := io.ReadAll(client)
			if err != nil || string(got) != "hello" {
				t.Errorf("got %q, %v; want \"hello\", nil", got, err)
			}
		})
	})

	t.Run("deadlines run on the bubble's clock", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			_, client := dialPipe(t)
			start := time.Now()
			if err := client.SetReadDeadline(start.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			_, err := client.Read(make([]byte, 1))
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("got %v, want a deadline error", err)
			}
			if got := time.Since(start); got != time.Hour {
				t.Errorf("the read gave up after %v, want 1h", got)
			}
		})
	})

	t.Run("close wakes Accept, refuses Dial and closes the queue", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ln := NewPipeListener()
			waiting, err := ln.Dial() // queued, never accepted
			if err != nil {
				t.Fatal(err)
			}
			if err := ln.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
				t.Errorf("Accept: got %v, want net.ErrClosed", err)
			}
			if _, err := ln.Dial(); !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("Dial: got %v, want connection refused", err)
			}
			if _, err := waiting.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
				t.Errorf("a queued connection read %v, want EOF", err)
			}
		})
	})
}

// dialPipe makes a PipeListener and dials it, inside a bubble; both are
// closed when the test ends.
func dialPipe(t *testing.T) (*PipeListener, net.Conn) {
	t.Helper()
	ln := NewPipeListener()
	t.Cleanup(func() { _ = ln.Close() }) // a pipe listener's Close does not fail
	client, err := ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() }) // a pipe's Close does not fail
	return ln, client
}
