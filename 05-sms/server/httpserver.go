// This file is the same in both HTTP servers: 03-image-download/server and
// 05-sms/server. A test keeps the copies identical.

package main

import (
	"context"
	"log"
	"net"
	"net/http"
	"time"
)

// shutdownBudget bounds how long serve waits, after Ctrl-C, for the
// requests in progress.
const shutdownBudget = 5 * time.Second

// serve runs an HTTP server for h on ln until ctx is canceled, then
// shuts it down: it stops accepting, and waits shutdownBudget for the
// requests in progress before it closes their connections. The server's
// timeouts are its program's (newServer); at most maxConns connections
// are open at once, fewer if the process may not open that many files
// (limit.go), and then the log says how many.
//
// http.Server does for each connection what chapter 02's server does by
// hand: a goroutine per client, a deadline on each read and write, and a
// clean stop.
func serve(ctx context.Context, ln net.Listener, h http.Handler,
	maxConns int, logger *log.Logger) error {
	srv := newServer(h, logger)
	// Requests' contexts end with ctx: Ctrl-C also ends a handler that
	// is waiting for something.
	srv.BaseContext = func(net.Listener) context.Context { return ctx }
	files := openFiles()
	if n := connCap(maxConns, files); n < maxConns {
		logger.Printf("ulimit -n is %d: at most %d connections at once, "+
			"not the %d of -max-conns", files, n, maxConns)
		maxConns = n
	}
	ln = newLimitListener(ln, maxConns, onStress(srv, maxConns, logger))

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
