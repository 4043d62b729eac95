package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
)

func TestWorkers(t *testing.T) {
	t.Run("never more requests in flight than -workers", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			const workers = 3
			var (
				mu       sync.Mutex
				inFlight int
				most     int
			)
			release := make(chan struct{})
			picture := func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				mu.Unlock()
				<-release // hold every request until the test has counted
				mu.Lock()
				inFlight--
				mu.Unlock()
				w.Header().Set("Content-Type", "image/png")
				_, _ = w.Write(tinyPNG)
			}
			names := make([]string, 12)
			for i := range names {
				names[i] = fmt.Sprintf("%d.png", i+1)
			}
			f := (&fakeAPI{names: names, picture: picture}).startInBubble(t)
			errc := make(chan error, 1)
			go func() {
				_, err := fetchAll(t, f, t.TempDir(), "-num", "12",
					"-workers", strconv.Itoa(workers))
				errc <- err
			}()
			// Wait returns when every goroutine of the test is stuck: the
			// client has sent every request it will send before one is
			// answered. An unbounded client would have sent all 12.
			synctest.Wait()
			mu.Lock()
			waiting := inFlight
			mu.Unlock()
			close(release)
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if waiting != workers {
				t.Errorf("got %d requests at once, want %d", waiting, workers)
			}
			mu.Lock()
			defer mu.Unlock()
			if most != workers {
				t.Errorf("got at most %d requests at once, want %d", most, workers)
			}
		})
	})
}

func TestStartWorkers(t *testing.T) {
	t.Run("every job runs once, at most n at once", func(t *testing.T) {
		var mu sync.Mutex
		running, most := 0, 0
		work := func(job int) int {
			mu.Lock()
			running++
			most = max(most, running)
			mu.Unlock()
			defer func() { mu.Lock(); running--; mu.Unlock() }()
			return job
		}
		seen := map[int]bool{}
		for job := range startWorkers(context.Background(), 3, 20, work) {
			if seen[job] {
				t.Errorf("job %d ran twice", job)
			}
			seen[job] = true
		}
		if len(seen) != 20 || most > 3 {
			t.Errorf("got %d jobs, at most %d at once; want 20, at most 3",
				len(seen), most)
		}
	})

	t.Run("once ctx ends, no more jobs start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		started := 0
		for range startWorkers(ctx, 1, 20, func(int) int {
			started++ // one worker: no race
			if started == 2 {
				cancel()
			}
			return 0
		}) {
		}
		if started > 3 {
			t.Errorf("%d jobs started, want at most 3: one running, one "+
				"handed out as ctx ended", started)
		}
	})
}
