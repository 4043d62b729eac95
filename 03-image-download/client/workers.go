package main

import (
	"context"
	"sync"
)

// startWorkers calls work(0), work(1), ... work(jobs-1), at most n at
// once (at least one), and returns the channel on which their results
// arrive as they finish, closed after the last: receive until it is
// closed, or the workers wait for ever. Once ctx ends (Ctrl-C), no more
// start.
func startWorkers[R any](ctx context.Context, n, jobs int,
	work func(job int) R) <-chan R {
	next := make(chan int)
	results := make(chan R)
	var wg sync.WaitGroup
	for range min(max(n, 1), jobs) {
		wg.Go(func() {
			for job := range next {
				results <- work(job)
			}
		})
	}
	go func() {
		defer close(next)
		for job := 0; job < jobs && ctx.Err() == nil; job++ {
			select {
			case next <- job:
			case <-ctx.Done(): // Ctrl-C: hand out no more
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	return results
}
