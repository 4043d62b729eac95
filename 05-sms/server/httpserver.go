// This file is the same in both HTTP servers: 03-image-download/server and
// 05-sms/server. A test keeps the copies identical.

package main

import (
	"cmp"
	"context"
	"log"
	"net"
	"net/http"
	"time"
)

// At most -max-conns connections are open at once (limit.go). Once they
// are all taken the server is under stress, until at most half have been
// for calm; meanwhile each read waits at most stressReadTimeout from the
// connection's start. A client sends its request as soon as it connects,
// so by the time its connection leaves the system's queue the request is
// usually there in full: a peer that has sent nothing after 2 s holds a
// slot that others are queueing for. Writes keep the bounds newServer
// gives them: an answer may take as long as its handler needs.
const (
	calm              = time.Minute
	stressReadTimeout = 2 * time.Second
)

// shutdownBudget bounds how long serve waits, after Ctrl-C, for the
// requests in progress.
const shutdownBudget = 5 * time.Second

// serve runs srv, an HTTP server with its program's handler and
// timeouts (newServer), on ln until ctx is canceled, then shuts it down:
// it stops accepting, and waits shutdownBudget for the requests in
// progress before it closes their connections. At most maxConns
// connections are open at once, fewer if the process may not open that
// many files (limit.go), and then srv.ErrorLog says how many.
//
// http.Server does for each connection what chapter 02's server does by
// hand: a goroutine per client, a deadline on each read and write, and a
// clean stop.
func serve(ctx context.Context, ln net.Listener, srv *http.Server,
	maxConns int) error {
	logger := cmp.Or(srv.ErrorLog, log.Default())
	// Requests' contexts end with ctx: Ctrl-C also ends a handler that
	// is waiting for something.
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
		// Some responses are still being written after the budget:
		// cut them off. The server has stopped all the same.
		_ = srv.Close() // its error would only repeat that
	}
	<-errc // http.ErrServerClosed, as expected after Shutdown
	return nil
}

// onStress returns what an HTTP server srv does when all its maxConns
// slots are taken (on), and when it is calm again (off).
//
// Under stress, the slots held by connections that wait for a next
// request are the ones to free: SetKeepAlivesEnabled(false) closes the
// idle connections at once, and every answer closes its connection, so
// each slot serves one request and passes to the next client in the
// system's queue. Clients that are served still are; they only open a
// connection per request, as HTTP/1.0 did. The server says so once, not
// once per connection: a log that grows with the attack is another
// resource the attacker holds.
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
