package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// maxSessions bounds the clients served at once; more wait their turn in
// the system's queue of connections, costing nothing here.
const maxSessions = 100

// serve accepts connections on ln and holds an SMTP session with each in a
// goroutine of its own, until ctx is cancelled. Then it stops accepting,
// tells the sessions waiting for a command that it is shutting down, gives
// the ones receiving a message cfg.grace to finish it, closes what is
// left, and returns nil.
func serve(ctx context.Context, ln net.Listener, cfg *config) error {
	// Closing the listener is what wakes Accept when ctx is cancelled.
	stop := context.AfterFunc(ctx, func() {
		_ = ln.Close() // an error means it is closed already
	})
	defer stop()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		sessions = map[*session]bool{} // the sessions in progress
	)
	slots := make(chan struct{}, maxSessions)
	err := func() error {
		for {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			conn, err := ln.Accept()
			if err != nil {
				<-slots
				if ctx.Err() != nil {
					return nil // shutting down: we closed the listener
				}
				if errors.Is(err, net.ErrClosed) {
					return fmt.Errorf("accept: %w", err)
				}
				// Out of file descriptors, most likely. Wait a
				// little and go on.
				cfg.log.Printf("accept: %v (retrying)", err)
				select {
				case <-time.After(100 * time.Millisecond):
				case <-ctx.Done():
				}
				continue
			}
			s := newSession(conn, cfg)
			mu.Lock()
			sessions[s] = true
			mu.Unlock()
			// One goroutine per client is where the tutorial's
			// mail server would use a thread, or serve one client
			// at a time.
			wg.Go(func() {
				defer func() {
					mu.Lock()
					delete(sessions, s)
					mu.Unlock()
					_ = conn.Close() // the session is over either way
					<-slots
				}()
				s.serve()
			})
		}
	}()

	// Sessions waiting for a command get "421 shutting down" at once; one
	// receiving a message saves it first, then gets the 421.
	mu.Lock()
	for s := range sessions {
		s.stop()
	}
	if n := len(sessions); n > 0 {
		cfg.log.Printf("stopping: waiting up to %v for %d sessions", cfg.grace, n)
	}
	mu.Unlock()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(cfg.grace):
		mu.Lock()
		cfg.log.Printf("stopping: cutting off %d sessions", len(sessions))
		for s := range sessions {
			_ = s.tcp.Close() // makes its read fail, which ends it
		}
		mu.Unlock()
		<-done
	}
	return err
}
