package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"
)

// serverHint is added to errors that mean no server answered.
const serverHint = "is the server running? go run ./02-file-transfer/server"

// fetch connects to the server, receives the file and saves it in cfg.out.
func fetch(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	root, err := openOut(cfg.out, stderr)
	if err != nil {
		return err
	}
	defer root.Close()
	got, err := download(ctx, cfg, root)
	for try := 1; try <= cfg.retry && errors.Is(err, errBusy); try++ {
		if err = waitToRetry(ctx, try, cfg.retry, stderr); err == nil {
			got, err = download(ctx, cfg, root)
		}
	}
	if err != nil {
		return err
	}
	return printSaved(stdout, cfg.out, got)
}

// openOut opens the -out folder with openFolder (save.go), and says on
// stderr what it tidied up there.
func openOut(dir string, stderr io.Writer) (*os.Root, error) {
	root, msg, err := openFolder(dir)
	if msg != "" {
		fmt.Fprintln(stderr, msg)
	}
	return root, err
}

// download connects to the server and receives the file into root, in
// the protocol cfg.proto. Ctrl-C, or a server that sends nothing for
// cfg.timeout, ends it.
func download(ctx context.Context, cfg config, root *os.Root) (saved, error) {
	conn, err := cfg.dial(ctx, "tcp", cfg.addr)
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return saved{}, errors.New("interrupted")
		case refused(err):
			return saved{}, fmt.Errorf("%w (%s)", err, serverHint)
		case timedOut(err):
			return saved{}, fmt.Errorf("no connection within %v: %w (is -addr "+
				"right?)", cfg.timeout, err)
		}
		return saved{}, err
	}
	showConnection(cfg.wire, conn)
	// Ctrl-C closes the connection, which ends a read in progress.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	r, view := showing(cfg.wire, deadlineReader{conn, cfg.timeout}, cfg.proto)
	in := &countingReader{r: r}
	receive := receiveStream
	if cfg.proto == "json" {
		receive = receiveJSON
	}
	got, err := receive(in, root, cfg)
	_ = conn.Close() // all is read, or never will be: an error changes nothing
	view.end()
	switch {
	case ctx.Err() != nil:
		return saved{}, errors.New("interrupted: nothing saved")
	case timedOut(err):
		return saved{}, fmt.Errorf("no data from %s for %v (after %d bytes): %w",
			cfg.addr, cfg.timeout, in.n, err)
	}
	return got, err
}

// printSaved says where the file was saved in the folder out, and why
// under another name than the server's, if it was.
func printSaved(stdout io.Writer, out string, got saved) error {
	// The names are safe (safeName said so); quote is the habit.
	path := filepath.Join(out, quote(got.name))
	var err error
	if got.name == got.asked {
		_, err = fmt.Fprintf(stdout, "saved %s (%d bytes)\n", path, got.size)
	} else {
		_, err = fmt.Fprintf(stdout, "saved %s (%d bytes): %s was there "+
			"already (-overwrite replaces it)\n", path, got.size,
			filepath.Join(out, quote(got.asked)))
	}
	return err
}

// saved is what receive saved.
type saved struct {
	name  string // the name it saved under
	asked string // the name the server sent
	size  int64
}

// countingReader counts the bytes read through it, for error messages.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// deadlineReader gives every read its own deadline: a server that keeps
// sending, however slowly, is waited for; one that stops for timeout is
// given up on.
type deadlineReader struct {
	conn    net.Conn
	timeout time.Duration
}

func (r deadlineReader) Read(p []byte) (int, error) {
	if err := r.conn.SetReadDeadline(time.Now().Add(r.timeout)); err != nil {
		return 0, err
	}
	return r.conn.Read(p)
}
