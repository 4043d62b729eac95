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
	// The first Ctrl-C asks for a clean stop; once it has, a second one
	// ends the program at once, as usual.
	context.AfterFunc(ctx, stop)
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
			"[-file PATH] [-proto json|stream] [-timeout D] [-max-clients N]")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:5566",
		"address to listen on (0.0.0.0:5566 to let other machines in)")
	path := fs.String("file", "", "file to send (default: a sample picture, sample.png)")
	proto := fs.String("proto", "json", "protocol: json (the tutorial's) or stream")
	cfg := config{grace: 10 * time.Second}
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second,
		"how long one write of 64 KiB to a client may take: a client "+
			"that reads slower than that is cut off")
	fs.IntVar(&cfg.maxClients, "max-clients", 100,
		"how many clients to serve at once; more wait their turn")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case *proto != "json" && *proto != "stream":
		problem = fmt.Sprintf("-proto must be json or stream, not %q", *proto)
	case cfg.timeout <= 0:
		problem = "-timeout must be more than 0"
	case cfg.maxClients < 1:
		problem = "-max-clients must be 1 or more"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return errUsage
	}

	f, err := load(*path)
	if err != nil {
		return err
	}
	defer f.Close()
	cfg.send = f.sendStream
	if *proto == "json" {
		// The tutorial encodes the file once and sends the same
		// string to every client. So does this server.
		if err := f.encodeJSON(); err != nil {
			return err
		}
		cfg.send = f.sendJSON
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("%w (is another server using that port? "+
			"choose another with -addr)", err)
	}
	cfg.log = log.New(stderr, "", log.LstdFlags)
	cfg.log.Printf("listening on %s (sending %s, %d bytes, as %s)",
		ln.Addr(), f.name, f.size, *proto)
	if err := serve(ctx, ln, cfg); err != nil {
		return err
	}
	cfg.log.Print("stopped")
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
	n, err := io.Copy(w, f.body())
	if err == nil && n != f.size {
		err = fmt.Errorf("sent %d of %d bytes: the file changed on disk", n, f.size)
	}
	return err
}

// config is how the server serves each client.
type config struct {
	send       func(io.Writer) error // writes the file in the chosen protocol
	timeout    time.Duration         // bound on each write of 64 KiB
	maxClients int                   // clients served at once
	grace      time.Duration         // how long Ctrl-C waits for transfers
	log        *log.Logger
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

	var (
		clients sync.WaitGroup
		mu      sync.Mutex
		open    = map[net.Conn]bool{} // the connections being served
	)
	// A client takes a slot before it is accepted, and gives it back
	// when done. With every slot taken, new clients wait in the
	// system's queue of connections, costing nothing here.
	slots := make(chan struct{}, cfg.maxClients)
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
			mu.Lock()
			open[conn] = true
			mu.Unlock()
			clients.Go(func() {
				defer func() {
					mu.Lock()
					delete(open, conn)
					mu.Unlock()
					_ = conn.Close() // the transfer is over either way
					<-slots
				}()
				sendTo(conn, cfg)
			})
		}
	}()

	// Let the transfers in progress finish, but not for ever.
	done := make(chan struct{})
	go func() {
		clients.Wait()
		close(done)
	}()
	mu.Lock()
	if n := len(open); n > 0 {
		cfg.log.Printf("stopping: waiting up to %v for %d transfers", cfg.grace, n)
	}
	mu.Unlock()
	select {
	case <-done:
	case <-time.After(cfg.grace):
		mu.Lock()
		cfg.log.Printf("stopping: cutting off %d transfers", len(open))
		for conn := range open {
			_ = conn.Close() // makes its write fail, which ends it
		}
		mu.Unlock()
		<-done
	}
	return err
}

// sendTo sends the file to one client and logs how it went.
func sendTo(conn net.Conn, cfg config) {
	start := time.Now()
	if err := cfg.send(deadlineWriter{conn, cfg.timeout}); err != nil {
		cfg.log.Printf("%s: %v", conn.RemoteAddr(), err)
		return
	}
	cfg.log.Printf("%s: sent in %v", conn.RemoteAddr(),
		time.Since(start).Round(time.Millisecond))
}

// deadlineWriter gives every write of at most 64 KiB its own deadline. A
// client that reads at least 64 KiB every timeout gets the whole file,
// however large; one that stops reading is cut off, and frees its
// goroutine.
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
