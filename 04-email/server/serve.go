package main

import (
	"context"
	"net"
)

// serve accepts connections on ln and holds an SMTP session with each in a
// goroutine of its own, until ctx is canceled. Then it stops accepting,
// tells the sessions waiting for a command that it is shutting down, gives
// the ones receiving a message cfg.grace to finish it, closes what is
// left, and returns nil.
func serve(ctx context.Context, ln net.Listener, cfg *config) error {
	// Closing the listener is what wakes Accept when ctx is canceled.
	stop := context.AfterFunc(ctx, func() {
		_ = ln.Close() // an error means it is closed already
	})
	defer stop()
	p := newPool(cfg)
	err := welcome(ctx, ln, p)
	p.shutdown()
	return err
}

// welcome takes a slot, then a connection, and starts a session with
// it, until ctx is canceled.
func welcome(ctx context.Context, ln net.Listener, p *pool) error {
	for {
		// The slot comes first: beyond -max-sessions, clients wait in
		// the system's queue of connections, in the order they came,
		// and cost nothing here.
		if !p.take(ctx) {
			return nil
		}
		conn, err := accept(ctx, ln, p.cfg.log)
		if err != nil {
			p.give()
			if ctx.Err() != nil {
				return nil // shutting down: we closed the listener
			}
			return err
		}
		p.start(conn)
	}
}
