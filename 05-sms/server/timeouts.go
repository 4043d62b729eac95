package main

import (
	"log"
	"net/http"
	"time"
)

// newServer returns an http.Server for h that logs its own errors (such
// as a failed Accept) to logger. Every phase of a request has a bound, so
// a client that sends its headers or reads the answer one byte a minute
// cannot hold a connection forever. Each connection is a slot: an open
// file, a goroutine and its buffers; limit.go bounds how many there are.
func newServer(h http.Handler, logger *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          logger,
	}
}
