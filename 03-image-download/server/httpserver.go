// This file is the same in 03-image-download/server and 05-sms/server; a
// test keeps the copies identical.

package main

import (
	"cmp"
	"context"
	"log"
	"net"
	"net/http"
	"time"
)

// With all -max-conns slots taken (limit.go), until at most half have
// been for calm, a read waits at most stressReadTimeout from the
// connection's start: a client sends its request as it connects, so a
// peer silent for 2 s holds a slot others queue for. Writes keep
// newServer's bounds: a handler may take its time.
const (
	calm              = time.Minute
	stressReadTimeout = 2 * time.Second
	shutdownBudget    = 5 * time.Second // after Ctrl-C, for requests in progress
)

// serve runs srv (newServer's) on ln until ctx is canceled, then gives
// the requests in progress shutdownBudget. At most maxConns connections
// are open, fewer if the process may not open that many files (said in
// srv.ErrorLog). http.Server does what chapter 02's server does by hand:
// a goroutine per client, deadlines on each read and write, a clean stop.
func serve(ctx context.Context, ln net.Listener, srv *http.Server,
	maxConns int) error {
	logger := cmp.Or(srv.ErrorLog, log.Default())
	// Requests' contexts end with ctx: Ctrl-C ends a handler that waits.
	srv.BaseContext = func(net.Listener) context.Context { return ctx }
	files := openFiles()
	if n := connCap(maxConns, files); n < maxConns {
		logger.Printf("ulimit -n is %d: at most %d connections at once, "+
			"not the %d of -max-conns", files, n, maxConns)
		maxConns = n
	}
	ln = newLimitListener(ln, limits{max: maxConns, high: maxConns,
		calm: calm, read: stressReadTimeout,
		stress: onStress(srv, maxConns, logger)})

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err // Serve never returns nil
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownBudget)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		_ = srv.Close() // past the budget: cut off what is still written
	}
	<-errc // http.ErrServerClosed, as expected after Shutdown
	return nil
}

// onStress returns what srv does when its maxConns slots are all taken
// (on), and when it is calm again. Without keep-alives, idle connections
// close and each slot serves one request, then passes to the next client
// in the queue. It logs once, not per connection: a log that grows with
// an attack is another resource the attacker holds.
func onStress(srv *http.Server, maxConns int,
	logger *log.Logger) func(on bool) {
	return func(on bool) {
		srv.SetKeepAlivesEnabled(!on)
		if on {
			logger.Printf("at capacity: %d connections open; until it "+
				"is calm, a connection serves one request, sent within %v",
				maxConns, stressReadTimeout)
		} else {
			logger.Print("calm again: connections are kept open " +
				"between requests")
		}
	}
}
