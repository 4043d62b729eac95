package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// logBuffer is a log that the server writes while the test reads it.
type logBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// newClient returns a client of s with connections of its own, closed
// when the test ends.
func newClient(t *testing.T, s *bubbleServer) *http.Client {
	tr := &http.Transport{DialContext: s.ln.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// getOK asks for a list of one picture and fails the test unless it gets
// one. It returns whether the server closes the connection after it.
func getOK(t *testing.T, c *http.Client, s *bubbleServer) (closes bool) {
	t.Helper()
	return get200(t, c, s.url+"/meinv/?key=demo&num=1")
}

// get200 gets url and fails the test unless the answer is 200 OK. It
// returns whether the server closes the connection after it.
func get200(t *testing.T, c *http.Client, url string) (closes bool) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("got %q, %v; want 200 OK", resp.Status, err)
	}
	return resp.Close
}

func TestAtCapacity(t *testing.T) {
	t.Run("with every slot held by an idle connection, a new client is "+
		"served at once, and the server says so once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var logs logBuffer
			s := serveInBubble(t, newAPI(t, 1), 3, &logs)
			// Two clients whose connections stay open after their request,
			// as keep-alive connections do.
			for range 2 {
				if closes := getOK(t, newClient(t, s), s); closes {
					t.Fatal("the server closed a connection, want it kept open")
				}
			}
			// The third takes the last slot: every slot is taken, and the
			// next clients would wait for the idle ones to time out.
			start := time.Now()
			for range 4 {
				if closes := getOK(t, newClient(t, s), s); !closes {
					t.Error("at capacity, an answer left its connection open")
				}
			}
			if took := time.Since(start); took != 0 {
				t.Errorf("new clients waited %v, want them served at once", took)
			}
			if n := strings.Count(logs.String(), "at capacity"); n != 1 {
				t.Errorf("got %d lines saying so, want 1; the log:\n%q", n, logs.String())
			}

			// A minute later, with the slots free, it keeps connections
			// open again, and says that once too.
			time.Sleep(time.Minute)
			if closes := getOK(t, newClient(t, s), s); closes {
				t.Error("once calm, an answer closed its connection")
			}
			if n := strings.Count(logs.String(), "calm again"); n != 1 {
				t.Errorf("got %d lines saying so, want 1; the log:\n%q", n, logs.String())
			}
		})
	})

}

func TestMaxConns(t *testing.T) {
	t.Run("never more than -max-conns connections at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var (
				mu       sync.Mutex
				inFlight int
			)
			a := newAPIWithDelay(t, time.Second)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				inFlight++
				mu.Unlock()
				a.handler().ServeHTTP(w, r)
				mu.Lock()
				inFlight--
				mu.Unlock()
			})
			s := serveInBubble(t, h, 2, io.Discard)
			var wg sync.WaitGroup
			start := time.Now()
			for range 3 {
				c := newClient(t, s)
				wg.Go(func() {
					resp, err := c.Get(s.url + "/images/1.png")
					if err != nil {
						t.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body) // a short picture
					_ = resp.Body.Close()
				})
			}
			synctest.Wait() // every client has connected or is waiting to
			mu.Lock()
			got := inFlight
			mu.Unlock()
			if got != 2 {
				t.Errorf("got %d requests served at once, want 2", got)
			}
			wg.Wait()
			// Two at once, then the third: two rounds of the delay.
			if took := time.Since(start); took != 2*time.Second {
				t.Errorf("the three pictures took %v, want 2s", took)
			}
		})
	})

}

// TestIdlePeers checks that a peer that holds a slot without doing work
// loses it.
func TestIdlePeers(t *testing.T) {
	request := "GET /meinv/?key=demo&num=1 HTTP/1.1\r\nHost: x\r\n\r\n"
	timeouts := []struct {
		name   string
		send   string // what the peer sends, then it is silent
		answer bool   // whether it reads an answer first
		want   time.Duration
	}{
		{"a peer that sends nothing is cut off after 5s", "", false,
			readHeaderTimeout},
		{"a peer that sends half a request is cut off after 5s",
			request[:len(request)-2], false, readHeaderTimeout},
		{"a peer silent after its answer is cut off after 10s", request, true,
			idleTimeout},
	}
	for _, tc := range timeouts {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := serveInBubble(t, newAPI(t, 1), 2, io.Discard)
				conn, err := s.ln.Dial()
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				if _, err := io.WriteString(conn, tc.send); err != nil {
					t.Fatal(err)
				}
				r := bufio.NewReader(conn)
				if tc.answer {
					resp, err := http.ReadResponse(r, nil)
					if err != nil {
						t.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body) // read to its end
					_ = resp.Body.Close()
				}
				start := time.Now()
				extra, _ := io.ReadAll(r) // until the server hangs up
				if took := time.Since(start); took != tc.want {
					t.Errorf("the server hung up after %v, want %v", took, tc.want)
				}
				if len(extra) > 0 && !strings.HasPrefix(string(extra), "HTTP/1.1 408") {
					t.Errorf("the server sent %q, want nothing or a 408", extra)
				}
			})
		})
	}
}
