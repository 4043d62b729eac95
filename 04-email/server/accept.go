// This file is the same in 01-tcp-time/server, 02-file-transfer/server and
// 04-email/server; a test keeps the copies identical.

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"
)

// accept waits for the next connection on ln. When the process runs out
// of file descriptors (too many clients at once), Accept fails for a
// moment: accept logs it and tries again, rather than stop serving.
// Accept waits until a client comes or ln is closed: to stop it when ctx
// is canceled, close ln then; accept returns ctx's error.
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
