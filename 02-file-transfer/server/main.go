// Command server sends one file to every client that connects, then closes
// the connection. It speaks two protocols:
//
//   - json (the default): the tutorial's, one JSON object
//     {"filename": ..., "filedata": <base64>};
//   - stream: a header line {"filename":...,"size":N,"sha256":...} and then
//     the file's N bytes as they are.
//
// It is the Go version of the multithreaded file server in the tutorial's
// section "TCP sockets": each client is served by a goroutine of its own.
// Without -file it sends sample.png, a picture it draws at start-up.
//
//	go run ./02-file-transfer/server
//	go run ./02-file-transfer/client -out received
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// errUsage reports a mistake on the command line. The flag package has
// already printed what was wrong, so main only exits with status 2.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] "+
			"[-file PATH] [-proto json|stream] [-timeout D]")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:5566",
		"address to listen on (0.0.0.0:5566 to let other machines in)")
	path := fs.String("file", "", "file to send (default: a sample picture, sample.png)")
	proto := fs.String("proto", "json", "protocol: json (the tutorial's) or stream")
	timeout := fs.Duration("timeout", 30*time.Second,
		"how long one write to a client may take: a client that stops "+
			"reading for this long is cut off")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || (*proto != "json" && *proto != "stream") || *timeout <= 0 {
		switch {
		case fs.NArg() > 0:
			fmt.Fprintf(stderr, "unexpected argument %q\n", fs.Arg(0))
		case *timeout <= 0:
			fmt.Fprintln(stderr, "-timeout must be more than 0")
		default:
			fmt.Fprintf(stderr, "-proto must be json or stream, not %q\n", *proto)
		}
		fs.Usage()
		return errUsage
	}

	f, err := load(*path)
	if err != nil {
		return err
	}
	defer f.Close()
	send := f.sendStream
	if *proto == "json" {
		// The tutorial encodes the file once and sends the same
		// string to every client. So does this server.
		if err := f.encodeJSON(); err != nil {
			return err
		}
		send = f.sendJSON
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("%w (is another server using that port? "+
			"choose another with -addr)", err)
	}
	logger := log.New(stderr, "", log.LstdFlags)
	logger.Printf("listening on %s (sending %s, %d bytes, as %s)",
		ln.Addr(), f.name, f.size, *proto)
	if err := serve(ctx, ln, send, *timeout, logger); err != nil {
		return err
	}
	logger.Print("stopped")
	return nil
}

// file is what the server sends: a name, and bytes that every client
// reads from the same open file at once (ReadAt does not move a shared
// offset, so the clients do not get in each other's way).
type file struct {
	name   string
	size   int64
	sha256 string // hex
	data   io.ReaderAt
	close  func() error
	json   []byte // the whole JSON message, made by encodeJSON
}

// load opens the file at path, or makes the sample picture if path is "".
func load(path string) (*file, error) {
	if path == "" {
		pic, err := samplePNG()
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(pic)
		return &file{
			name:   "sample.png",
			size:   int64(len(pic)),
			sha256: hex.EncodeToString(sum[:]),
			data:   bytes.NewReader(pic),
			close:  func() error { return nil },
		}, nil
	}

	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-file: %w", err)
	}
	info, err := fd.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file (a folder?): "+
			"-file takes the path of one file", path)
	}
	if err != nil {
		_ = fd.Close() // we are giving up on it
		return nil, fmt.Errorf("-file: %w", err)
	}
	f := &file{
		name:  filepath.Base(path), // never send the folders: they are ours
		size:  info.Size(),
		data:  fd,
		close: fd.Close,
	}
	h := sha256.New()
	if _, err := io.Copy(h, f.body()); err != nil {
		_ = fd.Close()
		return nil, fmt.Errorf("-file: read %s: %w", path, err)
	}
	f.sha256 = hex.EncodeToString(h.Sum(nil))
	return f, nil
}

// body returns a reader of the file's bytes, independent of every other.
func (f *file) body() io.Reader { return io.NewSectionReader(f.data, 0, f.size) }

func (f *file) Close() error { return f.close() }

// encodeJSON makes the tutorial's message. JSON strings hold text, not
// bytes, so the file travels as base64: 4 characters for every 3 bytes.
// encoding/json does that by itself for a []byte field.
func (f *file) encodeJSON() error {
	data, err := io.ReadAll(f.body())
	if err != nil {
		return fmt.Errorf("read %s: %w", f.name, err)
	}
	f.json, err = json.Marshal(struct {
		Filename string `json:"filename"`
		Filedata []byte `json:"filedata"`
	}{f.name, data})
	return err
}

// sendJSON writes the JSON message. The client knows it has all of it
// when the connection closes: the message has no length of its own.
func (f *file) sendJSON(w io.Writer) error {
	_, err := w.Write(f.json)
	return err
}

// sendStream writes a header line saying what follows, then the file's
// bytes as they are. The size tells the client where the file ends, and
// the checksum that it arrived intact.
func (f *file) sendStream(w io.Writer) error {
	header, err := json.Marshal(struct {
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
		SHA256   string `json:"sha256"`
	}{f.name, f.size, f.sha256})
	if err != nil {
		return err
	}
	if _, err := w.Write(append(header, '\n')); err != nil {
		return err
	}
	// io.Copy moves 32 KiB at a time: memory stays the same however
	// large the file, and however many clients there are.
	_, err = io.Copy(w, f.body())
	return err
}

// serve accepts connections on ln and calls send for each in a goroutine
// of its own, until ctx is cancelled. Then it stops accepting, waits for
// the clients it is serving, and returns nil.
func serve(ctx context.Context, ln net.Listener, send func(io.Writer) error,
	timeout time.Duration, logger *log.Logger) error {
	// Closing the listener is what wakes Accept when ctx is cancelled.
	stop := context.AfterFunc(ctx, func() {
		_ = ln.Close() // an error means it is closed already
	})
	defer stop()

	var clients sync.WaitGroup
	defer clients.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil // shutting down: we closed the listener
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("accept: %w", err)
			}
			// Out of file descriptors, most likely: too many clients
			// at once. Wait a little and go on.
			logger.Printf("accept: %v (retrying)", err)
			select {
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		clients.Go(func() {
			defer conn.Close()
			start := time.Now()
			err := send(deadlineWriter{conn, timeout})
			if err != nil {
				logger.Printf("%s: %v", conn.RemoteAddr(), err)
				return
			}
			logger.Printf("%s: sent in %v", conn.RemoteAddr(),
				time.Since(start).Round(time.Millisecond))
		})
	}
}

// deadlineWriter gives every write of at most 64 KiB its own deadline. A
// client that keeps reading, however slowly, gets the whole file; one that
// stops reading for timeout is cut off, and frees its goroutine.
type deadlineWriter struct {
	conn    net.Conn
	timeout time.Duration
}

func (w deadlineWriter) Write(p []byte) (n int, err error) {
	for len(p) > 0 {
		chunk := p[:min(len(p), 64<<10)]
		if err := w.conn.SetWriteDeadline(time.Now().Add(w.timeout)); err != nil {
			return n, err
		}
		m, err := w.conn.Write(chunk)
		n += m
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}

// samplePNG draws the sample picture: a 256×256 colour gradient with a
// circle, a few KiB as a PNG.
func samplePNG() ([]byte, error) {
	const size = 256
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			c := color.NRGBA{R: uint8(x), G: uint8(y), B: 160, A: 255}
			dx, dy := x-size/2, y-size/2
			if dx*dx+dy*dy < 64*64 {
				c = color.NRGBA{R: 255, G: 255 - uint8(y), B: uint8(x), A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("draw the sample picture: %w", err)
	}
	return buf.Bytes(), nil
}
