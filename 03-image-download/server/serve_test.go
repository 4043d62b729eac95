package main

import (
	"context"
	"io"
	"log"
	"net/http"
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
	go func() { done <- serve(ctx, ln, h, maxConns, logger) }()
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

// newAPIWithDelay is newAPI's api, each picture taking delay.
func newAPIWithDelay(t *testing.T, delay time.Duration) *api {
	t.Helper()
	pics, err := drawPictures(1)
	if err != nil {
		t.Fatal(err)
	}
	return &api{key: "demo", pictures: pics, delay: delay,
		log: log.New(io.Discard, "", 0)}
}

func TestServe(t *testing.T) {
	t.Run("a picture arrives after -delay", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := serveInBubble(t, newAPIWithDelay(t, 100*time.Millisecond).handler(),
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
				s := serveInBubble(t, newAPIWithDelay(t, 10*time.Second).handler(),
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
