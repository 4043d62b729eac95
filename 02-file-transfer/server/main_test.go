package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"io/fs"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"netprog/internal/loopback"
)

// writeFile writes data to a new file named name in a temporary folder and
// returns its path.
func writeFile(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// randomBytes returns n bytes that do not compress, the same for a seed.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed)})
	_, _ = r.Read(b) // ChaCha8.Read never fails
	return b
}

// fetch connects to addr and reads everything the server sends.
func fetch(addr string) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return nil, err
	}
	return io.ReadAll(conn)
}

// decodeJSON checks a json-mode reply and returns the file in it.
func decodeJSON(reply []byte) (name string, data []byte, err error) {
	var msg struct {
		Filename string `json:"filename"`
		Filedata []byte `json:"filedata"`
	}
	if err := json.Unmarshal(reply, &msg); err != nil {
		return "", nil, fmt.Errorf("reply is not the tutorial's JSON: %w", err)
	}
	return msg.Filename, msg.Filedata, nil
}

// decodeStream checks a stream-mode reply: a header line whose size and
// sha256 match the bytes after it. It returns the file.
func decodeStream(reply []byte) (name string, data []byte, err error) {
	line, data, ok := bytes.Cut(reply, []byte("\n"))
	if !ok {
		return "", nil, errors.New("reply has no header line")
	}
	var h struct {
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
		SHA256   string `json:"sha256"`
	}
	if err := json.Unmarshal(line, &h); err != nil {
		return "", nil, fmt.Errorf("bad header %q: %w", line, err)
	}
	if int64(len(data)) != h.Size {
		return "", nil, fmt.Errorf("header says %d bytes, got %d", h.Size, len(data))
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != h.SHA256 {
		return "", nil, fmt.Errorf("header's sha256 %q does not match the bytes", h.SHA256)
	}
	return h.Filename, data, nil
}

var decoders = map[string]func([]byte) (string, []byte, error){
	"json":   decodeJSON,
	"stream": decodeStream,
}

// serveAndFetch starts the server with flags, and returns the file one
// client gets from it, decoded.
func serveAndFetch(t *testing.T, decode func([]byte) (string, []byte, error),
	flags ...string) (string, []byte) {
	t.Helper()
	p := loopback.Start(t, run, append([]string{"-addr", "127.0.0.1:0"}, flags...), nil)
	reply, err := fetch(p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	name, data, err := decode(reply)
	if err != nil {
		t.Fatal(err)
	}
	return name, data
}

func TestServerSendsTheFile(t *testing.T) {
	want := randomBytes(3<<20, 1)
	path := writeFile(t, "photo.jpg", want)
	for proto, decode := range decoders {
		t.Run(proto+" mode sends the file byte for byte", func(t *testing.T) {
			name, got := serveAndFetch(t, decode, "-proto", proto, "-file", path)
			if name != "photo.jpg" {
				t.Errorf("got name %q, want %q (the base name only)", name, "photo.jpg")
			}
			if !bytes.Equal(got, want) {
				t.Errorf("got %d bytes that differ from the file's %d", len(got), len(want))
			}
		})

		t.Run(proto+" mode sends the same file to 50 clients at once", func(t *testing.T) {
			want := randomBytes(256<<10, 3) // small: 50 copies stay quick
			path := writeFile(t, "photo.jpg", want)
			p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
				"-proto", proto, "-file", path}, nil)
			// Check one reply in full, then that every client gets
			// the same bytes.
			first, err := fetch(p.Addr)
			if err != nil {
				t.Fatal(err)
			}
			if _, got, err := decode(first); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("first client: got %d bytes, %q; want the file", len(got),
					fmt.Sprint(err))
			}
			var wg sync.WaitGroup
			for i := range 50 {
				wg.Go(func() {
					reply, err := fetch(p.Addr)
					if err != nil {
						t.Errorf("client %d: %q", i, err.Error())
					} else if !bytes.Equal(reply, first) {
						t.Errorf("client %d got other bytes than the first", i)
					}
				})
			}
			wg.Wait()
		})

		t.Run(proto+" mode sends a sample picture without -file", func(t *testing.T) {
			name, got := serveAndFetch(t, decode, "-proto", proto)
			if name != "sample.png" {
				t.Errorf("got name %q, want sample.png", name)
			}
			if _, err := png.Decode(bytes.NewReader(got)); err != nil {
				t.Errorf("sample.png is not a PNG: %v", err)
			}
		})
	}
}

func TestServerSendsTheProtocolBytes(t *testing.T) {
	// The exact bytes on the wire for a file hi.txt holding "hi!".
	// TestClientReadsTheProtocolBytes feeds the client the same bytes, so
	// the two programs cannot drift apart without one of them failing.
	golden := map[string]string{
		// Python writes ", " and ": " between items; JSON does not care.
		"json": `{"filename":"hi.txt","filedata":"aGkh"}`,
		"stream": `{"filename":"hi.txt","size":3,"sha256":` +
			`"c0ddd62c7717180e7ffb8a15bb9674d3ec92592e0b7ac7d1d5289836b4553be2"}` +
			"\nhi!",
	}
	for proto, want := range golden {
		t.Run(proto+" mode sends exactly the protocol's bytes", func(t *testing.T) {
			path := writeFile(t, "hi.txt", []byte("hi!"))
			p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
				"-proto", proto, "-file", path}, nil)
			reply, err := fetch(p.Addr)
			if err != nil {
				t.Fatal(err)
			}
			if string(reply) != want {
				t.Errorf("got %q, want %q", reply, want)
			}
		})
	}
}

func TestServerStops(t *testing.T) {
	t.Run("canceling the context stops it and run returns nil", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0"}, nil)
		if _, err := fetch(p.Addr); err != nil {
			t.Fatal(err)
		}
		if err := p.Stop(); err != nil {
			t.Fatalf("run returned %v, want nil", err)
		}
		if conn, err := net.Dial("tcp", p.Addr); err == nil {
			_ = conn.Close()
			t.Error("a client could still connect after the server stopped")
		}
	})
}

func TestServerStartErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want error
	}{
		{"a missing file", []string{"-file", filepath.Join(dir, "nope.png")},
			fs.ErrNotExist},
		{"a folder", []string{"-file", dir}, errNotRegular},
	}
	for _, tc := range tests {
		t.Run(tc.name+" is a clear error", func(t *testing.T) {
			args := append([]string{"-addr", "127.0.0.1:0"}, tc.args...)
			err := run(context.Background(), args, nil, io.Discard, io.Discard)
			if !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}

}

func TestServerExplainsListenErrors(t *testing.T) {
	t.Run("a port in use says so", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		args := []string{"-addr", taken.Addr().String()}
		err = run(context.Background(), args, nil, io.Discard, io.Discard)
		if !errors.Is(err, syscall.EADDRINUSE) && !errors.Is(err, wsaeaddrinuse) {
			t.Errorf("got %v, want an address in use", err)
		}
		if err == nil || !strings.Contains(err.Error(), "is using port") {
			t.Errorf("got %v, want it to say another program uses the port", err)
		}
	})

	t.Run("an address of another machine says so", func(t *testing.T) {
		// 192.0.2.1 is kept for documentation: no machine has it.
		// Listening on it fails at once, and sends nothing.
		args := []string{"-addr", "192.0.2.1:5566"}
		err := run(context.Background(), args, nil, io.Discard, io.Discard)
		if !errors.Is(err, syscall.EADDRNOTAVAIL) && !errors.Is(err, wsaeaddrnotavail) {
			t.Errorf("got %v, want an address that is not available", err)
		}
		if err == nil || !strings.Contains(err.Error(), "is not an address of this machine") ||
			strings.Contains(err.Error(), "is using port") {
			t.Errorf("got %v, want it to say 192.0.2.1 is not this machine's", err)
		}
	})
}

func TestServerUsage(t *testing.T) {
	bad := [][]string{
		{"-proto", "xml"},
		{"-addr", "127.0.0.1"},
		{"-timeout", "0s"},
		{"-min-rate", "0"},
		{"-min-rate", "fast"},
		{"-max-clients", "0"},
		{"-port", "5566"},
		{"photo.jpg"},
	}
	for _, args := range bad {
		t.Run(strings.Join(args, " ")+" is bad usage", func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), args, nil, io.Discard, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
			if !strings.Contains(stderr.String(), "usage: server") {
				t.Errorf("got stderr %q, want the usage", stderr.String())
			}
		})
	}

	t.Run("-min-rate 512KiB is 512 KiB a second", func(t *testing.T) {
		cfg, err := parseFlags([]string{"-min-rate", "512KiB"}, io.Discard)
		if err != nil || cfg.minRate != 512<<10 {
			t.Errorf("got %d, %v; want %d", cfg.minRate, err, 512<<10)
		}
	})
}

// BenchmarkServer measures how fast the server delivers a 4 MiB file to
// clients reading in parallel, in MB/s of the file (json mode sends 4/3 as
// many bytes on the wire). Compare it with BenchmarkBareCopy.
func BenchmarkServer(b *testing.B) {
	path := writeFile(b, "bench.bin", randomBytes(4<<20, 2))
	for _, proto := range []string{"json", "stream"} {
		b.Run(proto, func(b *testing.B) {
			f, err := load(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			msg, err := f.message(proto)
			if err != nil {
				b.Fatal(err)
			}
			logger := log.New(io.Discard, "", 0)
			s := &server{msg: msg, timeout: 10 * time.Second, minRate: 1 << 20,
				grace: time.Second, log: logger}
			cfg := config{maxClients: 100}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				done <- s.serve(ctx, cfg.guard(ln, logger))
			}()
			benchmarkClients(b, ln.Addr().String(), f.size)
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkBareCopy is the least a file server can do: accept, io.Copy the
// file to the connection, close, with no header, encoding or deadline.
func BenchmarkBareCopy(b *testing.B) {
	path := writeFile(b, "bench.bin", randomBytes(4<<20, 2))
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed below
			}
			wg.Go(func() {
				_, _ = io.Copy(conn, io.NewSectionReader(f, 0, info.Size()))
				_ = conn.Close()
			})
		}
	})
	benchmarkClients(b, ln.Addr().String(), info.Size())
	_ = ln.Close()
	wg.Wait()
}

// benchmarkClients fetches from addr in parallel (RunParallel rather than
// b.Loop, to have several clients at once) and reports the file's bytes a
// second.
func benchmarkClients(b *testing.B, addr string, size int64) {
	b.SetBytes(size)
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 64<<10)
		for pb.Next() {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				b.Error(err)
				return
			}
			n, err := io.CopyBuffer(io.Discard, bufio.NewReader(conn), buf)
			_ = conn.Close()
			if err != nil || n < size {
				b.Errorf("got %d bytes, %v; want at least %d", n, err, size)
				return
			}
		}
	})
}
