package main

import (
	"net"
	"net/http"
	"net/url"
)

// linkBase returns the start of the links the API gives out in answer to
// r: "http://" and the address of this server that r's connection came
// in on, which the system reports.
//
// The Host header names a server too, but it is only what the client
// wrote: a client that sends "Host: evil.example:666" would get links to
// that host, and a cache or a proxy in between would hand them to
// everyone. The address the connection came in on is a fact: the real
// port, also when the server was started on port 0; with -addr
// 0.0.0.0:8000, the address by which this client reached the machine
// (127.0.0.1 from the machine itself, its network address from others).
func linkBase(r *http.Request) string {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return "" // not from an http.Server: links relative to the API
	}
	return (&url.URL{Scheme: "http", Host: addr.String()}).String()
}
