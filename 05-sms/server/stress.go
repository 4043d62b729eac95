package main

import (
	"net"
	"sync/atomic"
	"time"
)

// stressReadTimeout bounds each read of a request, its headers included,
// while the server is at capacity, instead of ReadHeaderTimeout (5 s)
// and ReadTimeout (10 s). A client that connects sends its request at
// once, so by the time a connection is taken from the system's queue its
// request is usually waiting in full; one that has sent nothing after
// 2 s holds a slot that others are queueing for.
const stressReadTimeout = 2 * time.Second

// hurryListener hands out connections whose read deadlines are never
// more than stressReadTimeout away while hurry is set. The http.Server
// sets a connection's read deadline when it starts to read a request,
// and the connection brings it closer.
type hurryListener struct {
	net.Listener
	hurry *atomic.Bool
}

func (l hurryListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return hurryConn{Conn: conn, hurry: l.hurry}, nil
}

type hurryConn struct {
	net.Conn
	hurry *atomic.Bool
}

func (c hurryConn) SetReadDeadline(t time.Time) error {
	if soon := time.Now().Add(stressReadTimeout); c.hurry.Load() &&
		!t.IsZero() && t.After(soon) {
		t = soon
	}
	return c.Conn.SetReadDeadline(t)
}
