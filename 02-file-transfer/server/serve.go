package main

import (
	"context"
	"io"
	"log"
	"net"
	"sync"
	"time"
)

// config is how the server serves each client.
type config struct {
	send        func(io.Writer) error // writes the file in the chosen protocol
	size        int64                 // how many bytes send writes
	timeout     time.Duration         // bound on each write of 64 KiB
	busyTimeout time.Duration         // the same, while at capacity
	minRate     byteSize              // slowest transfer allowed, a second
	maxClients  int                   // clients served at once
	grace       time.Duration         // how long Ctrl-C waits for transfers
	log         *log.Logger
}

// serve accepts connections on ln and sends the file to each in a
// goroutine of its own, at most cfg.maxClients at once, until ctx is
// cancelled. Then it stops accepting, gives the transfers in progress
// cfg.grace to finish, closes what is left, and returns nil.
func serve(ctx context.Context, ln net.Listener, cfg config) error {
	// Closing the listener is what wakes Accept when ctx is cancelled.
	stop := context.AfterFunc(ctx, func() {
		_ = ln.Close() // an error means it is closed already
	})
	defer stop()

	var running transfers
	defer running.stop(cfg.grace, cfg.log)
	slots := newSlots(cfg.maxClients, cfg.log, func() {
		running.hurry(cfg.busyTimeout)
	})
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
		if !slots.take() {
			slots.refuse(conn)
			continue
		}
		w := newDeadlineWriter(conn, cfg, slots)
		running.start(w, func() {
			defer slots.give()
			sendTo(w, cfg)
		})
	}
}

// transfers are the connections being served, so that Ctrl-C can wait
// for them, and cut off those that take too long.
type transfers struct {
	wg   sync.WaitGroup
	mu   sync.Mutex
	open map[*deadlineWriter]bool
}

// start runs send in a goroutine of its own, and closes w's connection
// after it.
func (t *transfers) start(w *deadlineWriter, send func()) {
	t.mu.Lock()
	if t.open == nil {
		t.open = map[*deadlineWriter]bool{}
	}
	t.open[w] = true
	t.mu.Unlock()
	t.wg.Go(func() {
		defer func() {
			t.mu.Lock()
			delete(t.open, w)
			t.mu.Unlock()
			_ = w.conn.Close() // the transfer is over either way
		}()
		send()
	})
}

// hurry gives every write in progress at most idle more.
func (t *transfers) hurry(idle time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for w := range t.open {
		w.hurry(idle)
	}
}

// stop lets the transfers in progress finish, but not for ever: after
// grace it closes their connections, which makes their writes fail.
func (t *transfers) stop(grace time.Duration, logger *log.Logger) {
	done := make(chan struct{})
	go func() {
		t.wg.Wait()
		close(done)
	}()
	t.mu.Lock()
	if n := len(t.open); n > 0 {
		logger.Printf("stopping: waiting up to %v for %d transfers", grace, n)
	}
	t.mu.Unlock()
	select {
	case <-done:
	case <-time.After(grace):
		t.mu.Lock()
		logger.Printf("stopping: cutting off %d transfers", len(t.open))
		for w := range t.open {
			_ = w.conn.Close() // makes its write fail, which ends it
		}
		t.mu.Unlock()
		<-done
	}
}
