package main

import (
	"context"
	"log"
	"net"
	"net/http"
	"time"
)

// serve runs an HTTP server on ln until ctx is cancelled, then shuts it
// down: it stops accepting, and waits a bounded time for requests in
// progress before it closes their connections. It holds at most
// maxConns connections at once.
func serve(ctx context.Context, ln net.Listener, h http.Handler,
	maxConns int, logger *log.Logger) error {
	// Every phase of a request has a bound, so a client that sends its
	// headers or reads the answer one byte a minute cannot hold a
	// connection for ever.
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          logger,
		// Requests' contexts end with ctx.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}

	// Each connection is a slot: an open file in this process, a
	// goroutine and its buffers. A client that keeps its connection open
	// after its answer (HTTP keep-alive) saves its next request a
	// handshake, but holds the slot while it says nothing. So the
	// listener holds at most maxConns connections, and when every one is
	// taken the server is under stress until it is calm again: it closes
	// idle connections, closes every other one after one answer, and
	// gives each read of a request stressReadTimeout instead of seconds
	// more (limit.go). Clients beyond maxConns wait in the system's
	// queue of new connections, which costs this process nothing.
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
