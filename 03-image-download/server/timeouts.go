package main

import (
	"log"
	"net/http"
	"time"
)

// A connection is a slot: a file the process holds open (a process may
// have 1024 on Linux unless told otherwise), a goroutine and its buffers.
// A peer that holds one without doing work must lose it, or a few hundred
// peers that connect and wait take every slot and nobody else is served.
// Every phase of a connection has a bound:
const (
	// From the connection, or the end of the last answer, to the end of
	// the request's headers: a client that sends nothing, or a byte a
	// minute, is cut off.
	readHeaderTimeout = 5 * time.Second
	// The whole request, body included (these are GETs: no body).
	readTimeout = 10 * time.Second
	// From the end of the request to the end of the answer: -delay, then
	// a picture of a few KB, which fits in the system's buffers.
	writeTimeout = maxDelay + 20*time.Second
	// How long a connection may wait, open, for the client's next
	// request. A client that comes back within that reuses it, which
	// saves a connection per request: the downloader's workers come back
	// within milliseconds, a browser within a page. Longer would only
	// keep files open for clients that have gone (Apache waits 5s,
	// nginx 75s).
	idleTimeout = 10 * time.Second
)

// newServer returns an http.Server for h with the bounds above, that logs
// its own errors (such as a failed Accept) to logger.
func newServer(h http.Handler, logger *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          logger,
	}
}
