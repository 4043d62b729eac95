package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// A busy server means "not now": with -retry the client waits longer each
// time (backoff: about 0.5s, 1s, 2s, ... up to 10s), part of each wait at
// random (jitter, so that clients turned away together spread out), and
// gives up after N more tries. Only "busy" is worth trying again.
const (
	firstWait = 500 * time.Millisecond
	maxWait   = 10 * time.Second
)

// waitToRetry waits before try (1, 2, ...) of retries, and says so on
// stderr, or returns an error if ctx ends first (Ctrl-C). The wait is
// firstWait doubled try-1 times, at most maxWait: half of that, and a
// random part of the other half.
func waitToRetry(ctx context.Context, try, retries int, stderr io.Writer) error {
	d := min(firstWait<<min(try-1, 8), maxWait)
	wait := (d/2 + rand.N(d/2)).Round(time.Millisecond)
	fmt.Fprintf(stderr, "server busy: trying again in %v (%d of %d)\n",
		wait, try, retries)
	select {
	case <-ctx.Done():
		return errors.New("interrupted")
	case <-time.After(wait):
		return nil
	}
}
