package main

import (
	"context"
	"log"
	"net"
)

// listenAndServe loads the file to send, listens as cfg says, prints the
// listening line, and serves until ctx is canceled.
func listenAndServe(ctx context.Context, cfg config, logger *log.Logger) error {
	f, err := load(cfg.path)
	if err != nil {
		return err
	}
	defer f.Close()
	cfg.send, cfg.size, err = f.sender(cfg.proto)
	if err != nil {
		return err
	}
	cfg.head, cfg.headLen = f.shown(cfg.proto)

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return explainListen(err, cfg.addr)
	}
	cfg.log = logger
	cfg.log.Printf("listening on %s (sending %s, %d bytes, as %s)",
		ln.Addr(), quote(f.name), f.size, cfg.proto)
	if err := serve(ctx, ln, cfg); err != nil {
		return err
	}
	cfg.log.Print("stopped")
	return nil
}

// serve accepts connections on ln and sends the file to each in a
// goroutine of its own, at most cfg.maxClients at once, until ctx is
// canceled. Then it stops accepting, gives the transfers in progress
// cfg.grace to finish, closes what is left, and returns nil.
func serve(ctx context.Context, ln net.Listener, cfg config) error {
	// Closing the listener is what wakes Accept when ctx is canceled.
	stop := context.AfterFunc(ctx, func() {
		_ = ln.Close() // an error means it is closed already
	})
	defer stop()
	p := newPool(cfg)
	defer p.shutdown()
	for {
		conn, err := accept(ctx, ln, cfg.log)
		if err != nil {
			if ctx.Err() != nil {
				return nil // shutting down: we closed the listener
			}
			return err
		}
		// Every client takes a slot, and gives it back when its
		// transfer is over. With every slot taken, a new client is
		// told at once that the server is busy, rather than left
		// waiting without knowing for how long.
		if !p.take() {
			p.refuse(conn)
			continue
		}
		p.start(conn)
	}
}
