package main

// The tests of the README's build-it exercises: each waits, skipped,
// until you start the exercise by deleting its first line.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// testFlakyPicture is a picture handler for the exercises' tests: it
// answers the first len(statuses) requests for a picture with those
// statuses, and every later one with the picture. It notes when each
// request came.
type testFlakyPicture struct {
	statuses []int

	mu    sync.Mutex
	times []time.Time
	first chan struct{} // closed once the first request is answered
}

func newTestFlakyPicture(statuses ...int) *testFlakyPicture {
	return &testFlakyPicture{statuses: statuses, first: make(chan struct{})}
}

func (tr *testFlakyPicture) serve(w http.ResponseWriter, r *http.Request) {
	tr.mu.Lock()
	n := len(tr.times)
	tr.times = append(tr.times, time.Now())
	tr.mu.Unlock()
	if n == 0 {
		defer close(tr.first)
	}
	if n < len(tr.statuses) {
		http.Error(w, http.StatusText(tr.statuses[n]), tr.statuses[n])
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(tinyPNG)
}

// arrivals returns when each request came.
func (tr *testFlakyPicture) arrivals() []time.Time {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return slices.Clone(tr.times)
}

func TestRetry(t *testing.T) {
	t.Skip("exercise 11: retry a failed picture GET with backoff — delete this line to start")
	t.Run("a picture that fails twice with 503 is saved at the third try",
		func(t *testing.T) { synctest.Test(t, testRetryThirdTry) })

	t.Run("gives up after three tries, and says why", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			tr := newTestFlakyPicture(503, 503, 503, 503)
			f := (&fakeAPI{names: []string{"a.png"}, picture: tr.serve}).startInBubble(t)
			out, err := fetchAll(t, f, t.TempDir(), "-num", "1")
			if got := len(tr.arrivals()); got != 3 {
				t.Errorf("got %d tries of the picture, want 3", got)
			}
			if err == nil || !strings.Contains(out, "503 Service Unavailable") {
				t.Errorf("got %q and error %q, want the picture failed with "+
					"its last status", out, fmt.Sprint(err))
			}
		})
	})

	t.Run("a 404 is not tried again", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			tr := newTestFlakyPicture(404)
			f := (&fakeAPI{names: []string{"a.png"}, picture: tr.serve}).startInBubble(t)
			out, _ := fetchAll(t, f, t.TempDir(), "-num", "1")
			if got := len(tr.arrivals()); got != 1 {
				t.Errorf("got %d tries of the picture, want 1: asking again "+
					"for what is not there gets the same answer", got)
			}
			if !strings.Contains(out, "404 Not Found") {
				t.Errorf("got %q, want the picture failed with 404 Not Found", out)
			}
		})
	})

	t.Run("Ctrl-C during a wait stops at once",
		func(t *testing.T) { synctest.Test(t, testRetryCtrlC) })
}

// testRetryThirdTry runs in a synctest bubble: a picture answered 503
// twice is asked for again after 1s, then after 2s more, and saved.
func testRetryThirdTry(t *testing.T) {
	tr := newTestFlakyPicture(503, 503)
	f := (&fakeAPI{names: []string{"a.png"}, picture: tr.serve}).startInBubble(t)
	dir := t.TempDir()
	out, err := fetchAll(t, f, dir, "-num", "1")
	at := tr.arrivals()
	if len(at) != 3 {
		t.Fatalf("got %d tries of the picture, want 3: a 503 is "+
			"for now, so try again (output %q)", len(at), out)
	}
	if err != nil {
		t.Errorf("got %q, want the picture saved at the third try",
			err.Error())
	}
	if got := testFiles(t, dir); !slices.Equal(got, []string{"a.png"}) {
		t.Errorf("got files %q, want [a.png]", got)
	}
	first, second := at[1].Sub(at[0]), at[2].Sub(at[1])
	if first < time.Second {
		t.Errorf("the second try came %v after the first, want "+
			"at least 1s: give the server time", first)
	}
	if second < 2*time.Second {
		t.Errorf("the third try came %v after the second, want "+
			"at least 2s: wait twice as long each time", second)
	}
	if total := at[2].Sub(at[0]); total > 10*time.Second {
		t.Errorf("the tries took %v, want well under 10s", total)
	}
}

// testRetryCtrlC runs in a synctest bubble: Ctrl-C while the client
// waits to try a picture again ends the wait at once, with no new try.
func testRetryCtrlC(t *testing.T) {
	tr := newTestFlakyPicture(503, 503)
	f := (&fakeAPI{names: []string{"a.png"}, picture: tr.serve}).startInBubble(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := downloadCtx(ctx, t, f, "-out", t.TempDir(), "-num", "1")
		errc <- err
	}()
	<-tr.first
	synctest.Wait() // the client is waiting before its second try
	start := time.Now()
	cancel()
	err := <-errc
	if err == nil || err.Error() != "interrupted" {
		t.Errorf("got %q, want interrupted", fmt.Sprint(err))
	}
	if took := time.Since(start); took > 0 {
		t.Errorf("the client stopped %v after Ctrl-C, want at once: "+
			"wait for the timer or ctx.Done(), whichever comes first", took)
	}
	if got := len(tr.arrivals()); got != 1 {
		t.Errorf("got %d tries after Ctrl-C, want none", got-1)
	}
}

func TestRate(t *testing.T) {
	t.Skip("exercise 12: a -rate flag, at most N pictures a second — delete this line to start")
	names := []string{"1.png", "2.png", "3.png", "4.png", "5.png", "6.png"}

	t.Run("-rate 2 starts at most two pictures in any second", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			var mu sync.Mutex
			var at []time.Time
			picture := func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				at = append(at, time.Now())
				mu.Unlock()
				w.Header().Set("Content-Type", "image/png")
				_, _ = w.Write(tinyPNG)
			}
			f := (&fakeAPI{names: names, picture: picture}).startInBubble(t)
			start := time.Now()
			out, err := fetchAll(t, f, t.TempDir(), "-num", "6", "-workers", "6",
				"-rate", "2")
			if errors.Is(err, errUsage) {
				first, _, _ := strings.Cut(out, "\n")
				t.Fatalf("the client has no -rate flag yet (it said %q): "+
					"add it in parseFlags", first)
			}
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(at) != len(names) {
				t.Fatalf("got %d pictures asked for, want %d", len(at), len(names))
			}
			for i := range at[2:] {
				if gap := at[i+2].Sub(at[i]); gap < time.Second {
					t.Errorf("pictures %d to %d were asked for within %v, "+
						"want at most 2 in any second", i+1, i+3, gap)
				}
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("6 pictures at 2 a second took %v, want at most 3s", took)
			}
		})
	})

	t.Run("without -rate nothing waits", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := (&fakeAPI{names: names}).startInBubble(t)
			start := time.Now()
			if _, err := fetchAll(t, f, t.TempDir(), "-num", "6"); err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took != 0 {
				t.Errorf("the pictures took %v, want no wait", took)
			}
		})
	})

	t.Run("a negative -rate is a usage error", func(t *testing.T) {
		var out strings.Builder
		_, err := parseFlags([]string{"-rate", "-1"}, func(string) string { return "" }, &out)
		if first, _, _ := strings.Cut(out.String(), "\n"); strings.Contains(first, "not defined") {
			t.Fatalf("the client has no -rate flag yet (it said %q): "+
				"add it in parseFlags", first)
		}
		if !errors.Is(err, errUsage) || !strings.Contains(out.String(), "-rate") {
			t.Errorf("got %q, %q; want errUsage and a line about -rate",
				fmt.Sprint(err), out.String())
		}
	})
}
