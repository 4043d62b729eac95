package main

import (
	"context"
	"net"
	"net/http"
	"time"
)

// serve runs an HTTP server on ln until ctx is cancelled, then shuts it
// down: it stops accepting, and waits a bounded time for requests in
// progress before it closes their connections.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	// Every phase of a request has a bound, so a client that sends its
	// headers or reads the answer one byte a minute cannot hold a
	// connection for ever.
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		// Requests' contexts end with ctx, so Ctrl-C also ends a
		// picture's -delay at once.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
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
