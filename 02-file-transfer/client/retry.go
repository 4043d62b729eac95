package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// A busy server's answer means "not now". A client that asks again at
// once adds to the crowd; clients that all wait the same time come back
// all at once. So with -retry the client waits longer each time
// (backoff: about 0.5s, 1s, 2s, ... up to 10s), part of each wait at
// random (jitter, which spreads the clients out), and gives up after N
// more tries. Only "busy" is worth trying again: any other answer would
// be the same the next time.

const (
	firstWait = 500 * time.Millisecond
	maxWait   = 10 * time.Second
)

// waitToRetry waits before try (1, 2, ...) of retries, and says so on
// stderr, or returns an error if ctx ends first (Ctrl-C).
func waitToRetry(ctx context.Context, try, retries int, stderr io.Writer) error {
	wait := backoff(try)
	fmt.Fprintf(stderr, "server busy: trying again in %v (%d of %d)\n",
		wait, try, retries)
	select {
	case <-ctx.Done():
		return errors.New("interrupted")
	case <-time.After(wait):
		return nil
	}
}

// backoff is the wait before try: firstWait doubled try-1 times, at most
// maxWait; half of that, and a random part of the other half.
func backoff(try int) time.Duration {
	d := min(firstWait<<min(try-1, 8), maxWait)
	return (d/2 + rand.N(d/2)).Round(time.Millisecond)
}
