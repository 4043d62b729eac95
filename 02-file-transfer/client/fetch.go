package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"time"
)

// get fetches the file into the folder cfg.out, trying again while the
// server is busy, as -retry says, and says where it saved it.
func get(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	root, tidied, err := openFolder(cfg.out)
	if tidied != "" {
		fmt.Fprintln(stderr, tidied)
	}
	if err != nil {
		return err
	}
	defer root.Close()
	got, err := dialAndFetch(ctx, cfg, root)
	for try := 1; try <= cfg.retry && errors.Is(err, errBusy); try++ {
		if err = waitToRetry(ctx, try, cfg.retry, stderr); err == nil {
			got, err = dialAndFetch(ctx, cfg, root)
		}
	}
	if err != nil {
		return err
	}
	note := "" // the names are safe to print: safeName said so
	if got.name != got.asked {
		note = ": " + filepath.Join(cfg.out, got.asked) +
			" was there already (-overwrite replaces it)"
	}
	_, err = fmt.Fprintf(stdout, "saved %s (%d bytes)%s\n",
		filepath.Join(cfg.out, got.name), got.size, note)
	return err
}

// A busy server means "not now": with -retry the client waits longer each
// time (backoff: about 0.5s, 1s, 2s, ... up to 10s), part of each wait at
// random (jitter, so that clients turned away together spread out), and
// gives up after N more tries. Only "busy" is worth trying again.
const (
	firstWait = 500 * time.Millisecond
	maxWait   = 10 * time.Second
)

// waitToRetry waits before try (1, 2, ...) of retries, and says so on
// stderr, or returns an error if ctx ends first (Ctrl-C). The wait is
// firstWait doubled try-1 times, at most maxWait: half of that, and a
// random part of the other half.
func waitToRetry(ctx context.Context, try, retries int, stderr io.Writer) error {
	d := min(firstWait<<min(try-1, 8), maxWait)
	wait := (d/2 + rand.N(d/2)).Round(time.Millisecond)
	fmt.Fprintf(stderr, "server busy: trying again in %v (%d of %d)\n",
		wait, try, retries)
	select {
	case <-ctx.Done():
		return errors.New("interrupted")
	case <-time.After(wait):
		return nil
	}
}

// dialAndFetch connects to the server and fetches the file into root.
func dialAndFetch(ctx context.Context, cfg config, root *os.Root) (saved, error) {
	conn, err := cfg.dial(ctx, "tcp", cfg.addr)
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return saved{}, errors.New("interrupted")
		case refused(err):
			return saved{}, fmt.Errorf("%w (is the server running? "+
				"go run ./02-file-transfer/server)", err)
		case timedOut(err):
			return saved{}, fmt.Errorf("no connection within %v: %w (is -addr "+
				"right?)", cfg.timeout, err)
		}
		return saved{}, err
	}
	return fetch(ctx, conn, cfg, root)
}

// fetch receives the file from conn in the protocol cfg.proto, saves it
// in root, and closes conn. Ctrl-C, or cfg.timeout without data, ends it.
func fetch(ctx context.Context, conn net.Conn, cfg config,
	root *os.Root) (saved, error) {
	// Ctrl-C closes the connection, which ends a read in progress.
	stop := context.AfterFunc(ctx, func() { hide(conn, true); _ = conn.Close() })
	defer stop()
	in := &deadlineReader{conn: conn, timeout: cfg.timeout}
	receive := receiveStream
	if cfg.proto == "json" {
		receive = receiveJSON
	}
	got, err := receive(in, root, cfg)
	// The file is the user's: -v shows an answer with any of it as a size.
	if !errors.Is(err, errBusy) && !errors.Is(err, errRefused) &&
		!errors.Is(err, errNotFileServer) {
		hide(conn, true)
	}
	_ = conn.Close() // all is read, or never will be: an error changes nothing
	switch {
	case ctx.Err() != nil:
		return saved{}, errors.New("interrupted: nothing saved")
	case timedOut(err):
		return saved{}, fmt.Errorf("no data from %s for %v (after %d bytes): %w",
			cfg.addr, cfg.timeout, in.n, err)
	}
	return got, err
}

// hide asks a -v wrapper, if conn is one, to count what crosses, not show it.
func hide(conn net.Conn, on bool) {
	if h, ok := conn.(interface{ Hide(bool) }); ok {
		h.Hide(on)
	}
}

// saved is what was saved: under name, for the server's asked.
type saved struct {
	name, asked string
	size        int64
}

// deadlineReader gives every read from conn a deadline: a server that keeps
// sending is waited for, one silent for timeout is not. n counts bytes.
type deadlineReader struct {
	conn    net.Conn
	timeout time.Duration
	n       int64
}

func (r *deadlineReader) Read(p []byte) (int, error) {
	if err := r.conn.SetReadDeadline(time.Now().Add(r.timeout)); err != nil {
		return 0, err
	}
	n, err := r.conn.Read(p)
	r.n += int64(n)
	return n, err
}
