// This file is the same in every TCP server that accepts in a loop of its
// own: 01-tcp-time/server, 02-file-transfer/server and 04-email/server. A
// test keeps the copies identical.

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"
)

// accept waits for the next connection on ln. Accept fails for a moment
// when the process has run out of file descriptors (too many clients at
// once): accept logs that, waits a little and tries again, rather than
// stop serving everyone. When ctx is canceled (the server closes ln
// then), accept returns ctx's error; when ln is closed for another
// reason, an error that says so.
func accept(ctx context.Context, ln net.Listener,
	logger *log.Logger) (net.Conn, error) {
	for {
		conn, err := ln.Accept()
		switch {
		case ctx.Err() != nil:
			if conn != nil {
				_ = conn.Close() // came as the server stopped: not served
			}
			return nil, ctx.Err()
		case err == nil:
			return conn, nil
		case errors.Is(err, net.ErrClosed):
			return nil, fmt.Errorf("accept: %w", err)
		}
		logger.Printf("accept: %v (retrying)", err)
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
		}
	}
}
