package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// These tests are about time and about connections held open, so they
// run in a synctest bubble: the clock is fake and moves only when every
// goroutine in the bubble waits, and connections are in-memory pipes. A
// minute passes in no time, and a busy machine changes nothing.

// bubbleServer is serve running in a bubble on a pipe listener, with its
// log kept and its connections counted.
type bubbleServer struct {
	pl        *loopback.PipeListener
	conns     *countingListener
	log       loopback.Buffer
	transport *http.Transport // for a well-behaved client
	cancel    context.CancelFunc
	done      chan error
}

// startBubbleServer starts serve with maxConns, inside the bubble. It
// must be stopped before the bubble's function returns.
func startBubbleServer(maxConns int) *bubbleServer {
	s := &bubbleServer{pl: loopback.NewPipeListener(), done: make(chan error, 1)}
	s.conns = &countingListener{Listener: s.pl}
	s.transport = &http.Transport{DialContext: s.pl.DialContext}
	g := newGateway("demo", "demo-key", io.Discard, log.New(io.Discard, "", 0))
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	logger := log.New(&s.log, "", 0)
	srv := newServer(g.handler(), logger)
	go func() { s.done <- serve(ctx, s.conns, srv, maxConns) }()
	return s
}

// stop stops the server as Ctrl-C does, and waits for it.
func (s *bubbleServer) stop(tb testing.TB) {
	tb.Helper()
	s.transport.CloseIdleConnections()
	s.cancel()
	if err := <-s.done; err != nil {
		tb.Errorf("serve returned %s, want nil", errText(err))
	}
}

// post sends a good form with mobile as a well-behaved client does, and
// returns the code and whether the server keeps the connection open.
func (s *bubbleServer) post(tb testing.TB, mobile string) (code int, kept bool) {
	tb.Helper()
	client := &http.Client{Transport: s.transport, Timeout: 10 * time.Second}
	resp, err := client.PostForm("http://127.0.0.1:8080"+target,
		goodForm("mobile", mobile))
	if err != nil {
		tb.Fatalf("post: %s", errText(err))
	}
	defer resp.Body.Close()
	return decodeJSON(tb, resp).Code, !resp.Close
}

// keepOpen sends one request on a connection of its own, reads the
// answer, and returns the connection, which then says nothing more: a
// client that holds its slot without doing work.
func (s *bubbleServer) keepOpen(tb testing.TB, mobile string) net.Conn {
	tb.Helper()
	conn, err := s.pl.Dial()
	if err != nil {
		tb.Fatalf("got %s, want no error", errText(err))
	}
	tb.Cleanup(func() { _ = conn.Close() }) // a pipe's Close does not fail
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+target,
		strings.NewReader(goodForm("mobile", mobile).Encode())) // cannot fail
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := req.Write(conn); err != nil {
		tb.Fatalf("write request: %s", errText(err))
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		tb.Fatalf("read answer: %s", errText(err))
	}
	_, _ = io.Copy(io.Discard, resp.Body) // a short read shows below
	return conn
}

// closedAt reports whether the server has closed conn by the time
// within has passed.
func closedAt(tb testing.TB, conn net.Conn, within time.Duration) bool {
	tb.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(within)) // pipes take deadlines
	_, err := conn.Read(make([]byte, 1))
	switch {
	case errors.Is(err, io.EOF):
		return true
	case errors.Is(err, os.ErrDeadlineExceeded):
		return false
	}
	tb.Fatalf("read: got %s, want io.EOF or a deadline", errText(err))
	return false
}

func TestSlots(t *testing.T) {
	t.Run("with every slot held by an idle connection a new client is "+
		"served, and the server says once that it is at capacity",
		func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				const maxConns = 3
				s := startBubbleServer(maxConns)
				defer s.stop(t)
				idle := make([]net.Conn, maxConns)
				for i := range idle {
					idle[i] = s.keepOpen(t, fmt.Sprintf("1380000%04d", i))
				}
				synctest.Wait()
				for i, conn := range idle {
					if !closedAt(t, conn, time.Second) {
						t.Errorf("idle connection %d still open, want it "+
							"closed when every slot is taken", i)
					}
				}
				for i := range 5 {
					code, _ := s.post(t, fmt.Sprintf("1390000%04d", i))
					if code != 2 {
						t.Errorf("client %d: got code %d, want 2", i, code)
					}
				}
				synctest.Wait()
				if n := strings.Count(s.log.String(), "at capacity"); n != 1 {
					t.Errorf("got %d lines saying at capacity, want 1; log %q",
						n, s.log.String())
				}
				if peak := s.conns.peakOpen(); peak > maxConns {
					t.Errorf("got %d connections open at once, want at most %d",
						peak, maxConns)
				}
			})
		})

	t.Run("a minute after the last time it was full, connections are "+
		"kept open again", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startBubbleServer(4)
			defer s.stop(t)
			for i := range 4 {
				s.keepOpen(t, fmt.Sprintf("1380000%04d", i))
			}
			synctest.Wait()
			if _, kept := s.post(t, "13900000001"); kept {
				t.Error("got a connection kept open at capacity, want it closed")
			}
			time.Sleep(calm)
			// The first connection after a calm minute finds the server
			// calm; the one after it is kept open.
			_, _ = s.post(t, "13900000002")
			if _, kept := s.post(t, "13900000003"); !kept {
				t.Error("got the connection closed, want it kept open when calm")
			}
			synctest.Wait()
			if n := strings.Count(s.log.String(), "calm again"); n != 1 {
				t.Errorf("got %d lines saying calm again, want 1; log %q",
					n, s.log.String())
			}
		})
	})
}

// TestTimeouts checks the bound on each phase of a request, to the
// second on the bubble's clock, calm and under stress.
func TestTimeouts(t *testing.T) {
	headers := "POST " + target + " HTTP/1.1\r\nHost: x\r\n"
	body := headers + "Content-Length: 9\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\n\r\nmobile="
	timeouts := []struct {
		name     string
		stressed bool   // every slot was taken a moment ago
		sends    string // what the client sends before it falls silent
		after    time.Duration
	}{
		{"a client that sends nothing is cut off after 5 seconds", false,
			"", 5 * time.Second},
		{"a client that stops in its headers is cut off after 5 seconds",
			false, headers, 5 * time.Second},
		{"a client that stops in its body is cut off after 10 seconds",
			false, body, 10 * time.Second},
		{"at capacity, a client that sends nothing is cut off after 2 " +
			"seconds", true, "", 2 * time.Second},
		{"at capacity, a client that stops in its headers is cut off " +
			"after 2 seconds", true, headers, 2 * time.Second},
		{"at capacity, a client that stops in its body is cut off after " +
			"2 seconds", true, body, 2 * time.Second},
	}
	for _, tc := range timeouts {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := startBubbleServer(2)
				defer s.stop(t)
				if tc.stressed {
					s.keepOpen(t, "13800000001")
					s.keepOpen(t, "13800000002")
					synctest.Wait()
				}
				conn, err := s.pl.Dial()
				if err != nil {
					t.Fatalf("got %s, want no error", errText(err))
				}
				defer conn.Close()
				began := time.Now()
				if _, err := io.WriteString(conn, tc.sends); err != nil {
					t.Fatalf("got %s, want no error", errText(err))
				}
				// The server may answer 408 or 400 before it closes.
				_, _ = io.Copy(io.Discard, conn)
				if got := time.Since(began); got != tc.after {
					t.Errorf("closed after %v, want %v", got, tc.after)
				}
			})
		})
	}

	t.Run("an idle connection is closed after a minute", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startBubbleServer(10)
			defer s.stop(t)
			conn := s.keepOpen(t, number)
			began := time.Now()
			if !closedAt(t, conn, time.Hour) {
				t.Fatal("got the connection open an hour later")
			}
			if got := time.Since(began); got != time.Minute {
				t.Errorf("closed after %v, want 1m0s", got)
			}
		})
	})
}

// countingListener counts the connections open at once.
type countingListener struct {
	net.Listener
	mu         sync.Mutex
	open, peak int
}

func (l *countingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open++
	l.peak = max(l.peak, l.open)
	return &countingConn{Conn: conn, l: l}, nil
}

func (l *countingListener) peakOpen() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.peak
}

type countingConn struct {
	net.Conn
	l    *countingListener
	once sync.Once
}

func (c *countingConn) Close() error {
	c.once.Do(func() {
		c.l.mu.Lock()
		defer c.l.mu.Unlock()
		c.l.open--
	})
	return c.Conn.Close()
}
