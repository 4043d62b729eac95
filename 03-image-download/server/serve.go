package main

import (
	"context"
	"log"
	"net"
	"net/http"
)

// serve runs an HTTP server on ln, with at most maxConns connections open
// at once, until ctx is cancelled, then shuts it down: it stops
// accepting, and waits a bounded time for requests in progress before it
// closes their connections.
func serve(ctx context.Context, ln net.Listener, h http.Handler,
	maxConns int, logger *log.Logger) error {
	srv := newServer(h, logger)
	// Requests' contexts end with ctx, so Ctrl-C also ends a picture's
	// -delay at once.
	srv.BaseContext = func(net.Listener) context.Context { return ctx }
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
