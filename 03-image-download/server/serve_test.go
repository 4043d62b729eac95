package main

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// bubbleServer is serve running on in-memory connections, for a test
// inside a testing/synctest bubble. There the clock is fake and moves only
// when every goroutine waits: a test of a delay or a timeout takes no
// time, and a busy machine cannot make a well-behaved peer late.
type bubbleServer struct {
	ln     *loopback.PipeListener
	url    string       // http://ADDR, the server's address
	client *http.Client // a client that reaches it
	stop   func() error // Ctrl-C: stops serve and returns what it returned
}

// serveInBubble starts serve with h and maxConns, logging to logw; call
// it inside the bubble. The server is stopped when the test ends, if the
// test has not stopped it.
func serveInBubble(t *testing.T, h http.Handler, maxConns int,
	logw io.Writer) *bubbleServer {
	t.Helper()
	ln := loopback.NewPipeListener()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logger := log.New(logw, "", 0)
	go func() { done <- serve(ctx, ln, newServer(h, logger), maxConns) }()
	tr := &http.Transport{DialContext: ln.DialContext}
	var once sync.Once
	var err error
	s := &bubbleServer{ln: ln, url: "http://" + ln.Addr().String(),
		client: &http.Client{Transport: tr}}
	s.stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
			tr.CloseIdleConnections()
		})
		return err
	}
	t.Cleanup(func() { _ = s.stop() }) // a test that cares calls stop itself
	return s
}

// newClient returns a client of s with connections of its own, closed
// when the test ends.
func newClient(t *testing.T, s *bubbleServer) *http.Client {
	t.Helper()
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

func TestServe(t *testing.T) {
	t.Run("a picture arrives after -delay", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := serveInBubble(t, testAPI(t, 1, 100*time.Millisecond).handler(),
				10, io.Discard)
			start := time.Now()
			get200(t, s.client, s.url+"/images/1.png")
			if got := time.Since(start); got != 100*time.Millisecond {
				t.Errorf("the picture took %v, want 100ms", got)
			}
		})
	})

	t.Run("Ctrl-C ends a delayed picture at once, and serve returns nil",
		func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := serveInBubble(t, testAPI(t, 1, 10*time.Second).handler(),
					10, io.Discard)
				got := make(chan error, 1)
				go func() {
					resp, err := s.client.Get(s.url + "/images/1.png")
					if err == nil {
						_ = resp.Body.Close()
					}
					got <- err
				}()
				synctest.Wait() // the picture is waiting out its delay
				start := time.Now()
				if err := s.stop(); err != nil {
					t.Errorf("serve returned %v, want nil", err)
				}
				// The delay is 10s and the shutdown budget 5s: a stop
				// well within a second means the delay was cut short.
				if took := time.Since(start); took >= time.Second {
					t.Errorf("serve took %v to stop, want well under 1s", took)
				}
				<-got // the client's request failed or ended: either is fine
			})
		})
}

func TestAtCapacity(t *testing.T) {
	t.Run("with every slot held by an idle connection, a new client is "+
		"served at once, and the server says so once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var logs loopback.Buffer
			s := serveInBubble(t, newAPI(t, 1), 3, &logs)
			// Two clients whose connections stay open after their request,
			// as keep-alive connections do.
			for range 2 {
				if closes := getOK(t, newClient(t, s), s); closes {
					t.Fatal("the server closed a connection, want it kept open")
				}
			}
			// The third takes the last slot: every slot is taken, and the
			// next clients would wait for the idle ones to time out. The
			// server is at capacity once it waits in Accept for a fourth
			// connection; the third client sends its request only then,
			// or its answer could be written before.
			third := newClient(t, s)
			third.Transport.(*http.Transport).DialContext = func(
				ctx context.Context, network, addr string) (net.Conn, error) {
				conn, err := s.ln.DialContext(ctx, network, addr)
				synctest.Wait() // the server has accepted it, and waits
				return conn, err
			}
			clients := []*http.Client{third, newClient(t, s), newClient(t, s),
				newClient(t, s)}
			start := time.Now()
			open := 0
			for _, c := range clients {
				if closes := getOK(t, c, s); !closes {
					open++
				}
			}
			if open > 0 {
				t.Errorf("at capacity, %d of %d answers left their "+
					"connection open, want each closed", open, len(clients))
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
			a := testAPI(t, 1, time.Second)
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
