package main

// A run of the client on the fake clock that fails in one sentence, not
// in a deadlock, when nothing bounds its wait.

import (
	"context"
	"testing"
	"time"
)

// testNoBound is how long, on a bubble's fake clock, downloadWithin lets
// the client run: far longer than any -timeout the tests give.
const testNoBound = 10 * time.Minute

// downloadWithin runs the client against the fake with flags, as
// downloadCtx does, in a testing/synctest bubble. A client still running
// after testNoBound on the fake clock has nothing bounding its wait: it
// is stopped (Ctrl-C), and the test fails saying so, rather than in a
// deadlock.
func downloadWithin(t *testing.T, f *fakeAPI, flags ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type ended struct {
		out string
		err error
	}
	done := make(chan ended, 1)
	go func() {
		out, err := downloadCtx(ctx, t, f, flags...)
		done <- ended{out, err}
	}()
	select {
	case e := <-done:
		return e.out, e.err
	case <-time.After(testNoBound):
		cancel()
		<-done // the client stops on Ctrl-C
		t.Fatalf("the client never gave up: still waiting after %v, with "+
			"nothing to bound a request (is the http.Client's Timeout set?)",
			testNoBound)
		return "", nil // not reached: Fatalf ends the test
	}
}
