package main

import (
	"log"
	"net/http"
	"time"
)

// A peer that holds a connection (a file, a goroutine, its buffers)
// without doing work must lose it: every phase has a bound.
const (
	// From the connection, or the end of the last answer, to the end of
	// the request's headers: a client that sends a byte a minute is cut off.
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second // the whole request (a GET: no body)
	// From the end of the request to the end of the answer: -delay, then
	// a picture of a few KB, which fits in the system's buffers.
	writeTimeout = maxDelay + 20*time.Second
	// How long a kept-open connection waits for the next request: long
	// enough for the downloader's workers, which come back within
	// milliseconds (Apache waits 5s, nginx 75s).
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
