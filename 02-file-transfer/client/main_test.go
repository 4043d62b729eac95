package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"netprog/internal/loopback"
)

// randomBytes returns n bytes that do not compress, the same for a seed.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed)})
	_, _ = r.Read(b) // ChaCha8.Read never fails
	return b
}

// jsonReply is what a json-mode server sends for a file.
func jsonReply(name string, data []byte) []byte {
	reply, err := json.Marshal(map[string]any{"filename": name, "filedata": data})
	if err != nil {
		panic(err) // a map of a string and bytes always marshals
	}
	return reply
}

// streamReply is what a stream-mode server sends for a file.
func streamReply(name string, data []byte) []byte {
	sum := sha256.Sum256(data)
	header, err := json.Marshal(header{name, int64(len(data)), hex.EncodeToString(sum[:])})
	if err != nil {
		panic(err) // strings and a number always marshal
	}
	return slices.Concat(header, []byte("\n"), data)
}

// sends is a fake server's handler that sends reply and closes.
func sends(reply []byte) func(net.Conn) {
	return func(c net.Conn) { _, _ = c.Write(reply) }
}

// receive runs the client against addr with -out dir and more flags, and
// returns what it printed and its error.
func receive(tb testing.TB, addr, dir string, flags ...string) (string, error) {
	tb.Helper()
	var stdout bytes.Buffer
	args := append([]string{"-addr", addr, "-out", dir}, flags...)
	err := run(context.Background(), args, nil, &stdout, io.Discard)
	return stdout.String(), err
}

// folder returns the names and contents of the files in dir; a folder in
// it shows as "<folder>".
func folder(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			files[e.Name()] = "<folder>"
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		files[e.Name()] = string(data)
	}
	return files
}

// describe lists the files of a folder() with their sizes, for messages.
func describe(files map[string]string) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(files)) {
		parts = append(parts, fmt.Sprintf("%s (%d bytes)", name, len(files[name])))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// outFolder returns a new output folder that already holds photo.png, so
// that tests can check a failed transfer leaves it as it was.
func outFolder(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	err := os.WriteFile(filepath.Join(dir, "photo.png"), []byte("old"), 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	return dir
}

func TestClientSavesTheFile(t *testing.T) {
	data := randomBytes(3<<20, 1)
	replies := map[string][]byte{
		"json":   jsonReply("photo.png", data),
		"stream": streamReply("photo.png", data),
	}
	for proto, reply := range replies {
		t.Run(proto+" mode saves the file byte for byte", func(t *testing.T) {
			addr := loopback.Serve(t, sends(reply))
			dir := outFolder(t)
			out, err := receive(t, addr, dir, "-proto", proto)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("saved %s (%d bytes)\n",
				filepath.Join(dir, "photo.png"), len(data))
			if out != want {
				t.Errorf("printed %q, want %q", out, want)
			}
			files := folder(t, dir)
			if len(files) != 1 {
				t.Errorf("folder holds %v, want photo.png alone", describe(files))
			}
			if files["photo.png"] != string(data) {
				t.Errorf("saved %d bytes that differ from the %d sent",
					len(files["photo.png"]), len(data))
			}
		})
	}

	// The exact bytes the server sends for a file hi.txt holding "hi!",
	// as the server's tests pin them.
	golden := map[string]string{
		"json": `{"filename":"hi.txt","filedata":"aGkh"}`,
		"stream": `{"filename":"hi.txt","size":3,"sha256":` +
			`"c0ddd62c7717180e7ffb8a15bb9674d3ec92592e0b7ac7d1d5289836b4553be2"}` +
			"\nhi!",
	}
	for proto, reply := range golden {
		t.Run(proto+" mode reads exactly the server's bytes", func(t *testing.T) {
			addr := loopback.Serve(t, sends([]byte(reply)))
			dir := t.TempDir()
			if _, err := receive(t, addr, dir, "-proto", proto); err != nil {
				t.Fatal(err)
			}
			if got := folder(t, dir)["hi.txt"]; got != "hi!" {
				t.Errorf("got %q in hi.txt, want %q", got, "hi!")
			}
		})
	}

	t.Run("json mode takes Python's spacing and escapes", func(t *testing.T) {
		// What json.dumps writes: spaces after : and , and the
		// non-ASCII name as \u escapes.
		reply := `{"filename": "\u7167\u7247.txt", "filedata": "aGkh"}`
		addr := loopback.Serve(t, sends([]byte(reply)))
		dir := t.TempDir()
		if _, err := receive(t, addr, dir); err != nil {
			t.Fatal(err)
		}
		if got := folder(t, dir)["照片.txt"]; got != "hi!" {
			t.Errorf("got %q, want %q in 照片.txt", got, "hi!")
		}
	})

	t.Run("an empty file is saved", func(t *testing.T) {
		addr := loopback.Serve(t, sends(streamReply("empty.txt", nil)))
		dir := t.TempDir()
		if _, err := receive(t, addr, dir, "-proto", "stream"); err != nil {
			t.Fatal(err)
		}
		if got, ok := folder(t, dir)["empty.txt"]; !ok || got != "" {
			t.Errorf("got %q (present: %v), want an empty empty.txt", got, ok)
		}
	})

	t.Run("the -out folder is made when missing", func(t *testing.T) {
		addr := loopback.Serve(t, sends(jsonReply("a.txt", []byte("a"))))
		dir := filepath.Join(t.TempDir(), "new", "folder")
		if _, err := receive(t, addr, dir); err != nil {
			t.Fatal(err)
		}
		if got := folder(t, dir)["a.txt"]; got != "a" {
			t.Errorf("got %q, want %q", got, "a")
		}
	})
}

func TestClientRejectsBadReplies(t *testing.T) {
	data := randomBytes(3<<20, 2)
	whole := streamReply("photo.png", data)
	headerLen := bytes.IndexByte(whole, '\n') + 1
	wrongSum := streamReply("photo.png", data)
	copy(wrongSum[headerLen:], "tampered")

	tests := []struct {
		name  string
		proto string
		reply []byte
		flags []string
		want  string
	}{
		{"truncated JSON", "json", jsonReply("photo.png", data)[:1<<20], nil,
			"connection closed after 1048576 bytes, before the JSON object was complete"},
		{"nothing at all", "json", nil, nil,
			"connection closed after 0 bytes"},
		{"invalid base64", "json", []byte(`{"filename":"photo.png","filedata":"!!!!"}`), nil,
			"filedata is not valid base64"},
		{"something that is not JSON", "json", []byte("hello\r\n"), nil,
			"server sent invalid JSON"},
		{"JSON without filedata", "json", []byte(`{"filename":"photo.png"}`), nil,
			`server sent no "filedata"`},
		{"more after the JSON object", "json",
			append(jsonReply("photo.png", data), "{}"...), nil,
			"server sent more after the JSON object"},
		{"JSON larger than -max-size", "json", jsonReply("photo.png", data),
			[]string{"-max-size", "1MiB"}, "file is larger than -max-size 1 MiB"},
		{"a stream-mode reply", "json", whole, nil,
			"is it speaking -proto stream?"},
		{"a truncated stream", "stream", whole[:headerLen+1<<20], nil,
			"connection closed after 1048576 of 3145728 bytes"},
		{"a wrong checksum", "stream", wrongSum, nil,
			"checksum mismatch"},
		{"more bytes than announced", "stream", append(slices.Clip(whole), 'x'), nil,
			"server sent more than the 3145728 bytes it announced"},
		{"a header line longer than 4096 bytes", "stream",
			[]byte(`{"filename":"` + strings.Repeat("a", 5000)), nil,
			"header line is longer than 4096 bytes"},
		{"a header without sha256", "stream",
			[]byte(`{"filename":"photo.png","size":1}` + "\nx"), nil,
			"want filename, size and sha256"},
		{"a negative size", "stream", []byte(`{"filename":"photo.png","size":-1,"sha256":"` +
			strings.Repeat("0", 64) + `"}` + "\n"), nil, "bad header line: size -1"},
		{"a size over -max-size", "stream", whole, []string{"-max-size", "1MiB"},
			"file is larger than -max-size 1 MiB (the server announced 3145728 bytes)"},
		{"a json-mode reply", "stream", jsonReply("photo.png", []byte("hi")), nil,
			"is the server speaking -proto json?"},
	}
	for _, tc := range tests {
		t.Run(tc.proto+" mode rejects "+tc.name, func(t *testing.T) {
			addr := loopback.Serve(t, sends(tc.reply))
			dir := outFolder(t)
			before := folder(t, dir)
			flags := append([]string{"-proto", tc.proto}, tc.flags...)
			out, err := receive(t, addr, dir, flags...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
			if out != "" {
				t.Errorf("printed %q, want nothing", out)
			}
			if after := folder(t, dir); !maps.Equal(after, before) {
				t.Errorf("the folder changed: %v, want it as it was",
					describe(after))
			}
		})
	}
}

// hostileNames are file names a server must not be able to make the
// client use.
var hostileNames = []string{
	"", ".", "..", "../x", "../../etc/passwd", "/etc/passwd", "a/b",
	`..\x`, `C:\Windows\x`, "C:x", "a\x00b", "\x1b[31mred", "photo.png/",
	strings.Repeat("a", 256), ".bashrc", "a\u202egnp.exe", "photo.png.",
	"photo.png ",
}

func TestClientRejectsHostileNames(t *testing.T) {
	for _, proto := range []string{"json", "stream"} {
		for _, name := range hostileNames {
			t.Run(fmt.Sprintf("%s mode refuses %q", proto, name), func(t *testing.T) {
				reply := jsonReply(name, []byte("pwned"))
				if proto == "stream" {
					reply = streamReply(name, []byte("pwned"))
				}
				addr := loopback.Serve(t, sends(reply))
				// The output folder is one level down, so that an
				// escape to its parent would be seen.
				parent := t.TempDir()
				dir := filepath.Join(parent, "out")
				_, err := receive(t, addr, dir, "-proto", proto)
				want := fmt.Sprintf("server sent an unsafe file name %q", name)
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("got %v, want an error containing %s", err, want)
				}
				if files := folder(t, dir); len(files) != 0 {
					t.Errorf("the folder holds %v, want it empty", describe(files))
				}
				if files := folder(t, parent); len(files) != 1 {
					t.Errorf("the parent holds %v, want out alone", describe(files))
				}
			})
		}
	}
}

func TestClientGivesUp(t *testing.T) {
	for _, proto := range []string{"json", "stream"} {
		t.Run(proto+" mode gives up on a server that never writes", func(t *testing.T) {
			addr := loopback.Serve(t, func(c net.Conn) {
				_, _ = io.Copy(io.Discard, c) // until the client hangs up
			})
			dir := outFolder(t)
			_, err := receive(t, addr, dir, "-proto", proto, "-timeout", "50ms")
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("got %v, want a deadline error", err)
			}
			want := "no data from " + addr + " for 50ms"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want it to say how long it waited", err)
			}
			if files := folder(t, dir); len(files) != 1 || files["photo.png"] != "old" {
				t.Errorf("the folder changed: %v", describe(files))
			}
		})

		t.Run(proto+" mode says so when the server does not close", func(t *testing.T) {
			reply := streamReply("photo.png", []byte("new"))
			if proto == "json" {
				reply = jsonReply("photo.png", []byte("new"))
			}
			addr := loopback.Serve(t, func(c net.Conn) {
				_, _ = c.Write(reply)
				_, _ = io.Copy(io.Discard, c) // and never closes
			})
			dir := outFolder(t)
			_, err := receive(t, addr, dir, "-proto", proto, "-timeout", "50ms")
			want := "server did not close the connection"
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want it to say the server did not close", err)
			}
			if files := folder(t, dir); len(files) != 1 || files["photo.png"] != "old" {
				t.Errorf("the folder changed: %v", describe(files))
			}
		})

		t.Run(proto+" mode gives up on a server that stops halfway", func(t *testing.T) {
			reply := streamReply("photo.png", randomBytes(1<<20, 3))
			if proto == "json" {
				reply = jsonReply("photo.png", randomBytes(1<<20, 3))
			}
			addr := loopback.Serve(t, func(c net.Conn) {
				_, _ = c.Write(reply[:len(reply)/2])
				_, _ = io.Copy(io.Discard, c)
			})
			dir := outFolder(t)
			_, err := receive(t, addr, dir, "-proto", proto, "-timeout", "50ms")
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("got %v, want a deadline error", err)
			}
			if files := folder(t, dir); len(files) != 1 || files["photo.png"] != "old" {
				t.Errorf("the folder changed: %v", describe(files))
			}
		})
	}

	t.Run("a refused connection asks whether the server runs", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close() // now nothing listens there
		_, err = receive(t, addr, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "is the server running?") {
			t.Errorf("got %v, want the hint to start the server", err)
		}
	})

	t.Run("Ctrl-C in the middle leaves nothing behind", func(t *testing.T) {
		reply := streamReply("photo.png", randomBytes(1<<20, 4))
		halfway := make(chan struct{})
		addr := loopback.Serve(t, func(c net.Conn) {
			_, _ = c.Write(reply[:len(reply)/2])
			close(halfway)
			_, _ = io.Copy(io.Discard, c)
		})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-halfway
			cancel()
		}()
		dir := outFolder(t)
		err := run(ctx, []string{"-addr", addr, "-out", dir, "-proto", "stream"},
			nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "interrupted") {
			t.Errorf("got %v, want interrupted", err)
		}
		if files := folder(t, dir); len(files) != 1 || files["photo.png"] != "old" {
			t.Errorf("the folder changed: %v", describe(files))
		}
	})
}

func TestClientFlags(t *testing.T) {
	bad := [][]string{
		{"-proto", "xml"},
		{"-timeout", "0s"},
		{"-max-size", "lots"},
		{"-max-size", "0"},
		{"-port", "5566"},
		{"received"},
	}
	for _, args := range bad {
		t.Run(strings.Join(args, " ")+" is bad usage", func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), args, nil, io.Discard, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
			if !strings.Contains(stderr.String(), "usage: client") {
				t.Errorf("got stderr %q, want the usage", stderr.String())
			}
		})
	}

	sizes := []struct {
		in   string
		want byteSize
	}{
		{"1", 1}, {"1024", 1 << 10}, {"512KiB", 512 << 10}, {"64MiB", 64 << 20},
		{"64 MiB", 64 << 20}, {"1GiB", 1 << 30}, {"100B", 100},
	}
	for _, tc := range sizes {
		t.Run(fmt.Sprintf("-max-size %s is %d bytes", tc.in, tc.want), func(t *testing.T) {
			var got byteSize
			if err := got.Set(tc.in); err != nil || got != tc.want {
				t.Errorf("got %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func FuzzSafeName(f *testing.F) {
	for _, name := range hostileNames {
		f.Add(name)
	}
	f.Add("photo.png")
	f.Add("照片.txt")
	f.Add(".hidden")
	f.Fuzz(func(t *testing.T, name string) {
		got, err := safeName(name)
		if err != nil {
			if !strings.Contains(err.Error(), "unsafe file name") {
				t.Errorf("safeName(%q): error %q does not say why", name, err)
			}
			return
		}
		// An accepted name is the name itself, and names a file
		// directly inside the folder.
		switch {
		case got != name:
			t.Errorf("safeName(%q) = %q, want the name unchanged", name, got)
		case name == "" || name == "." || name == "..":
			t.Errorf("safeName accepted %q", name)
		case strings.ContainsAny(name, "/\\:\x00"):
			t.Errorf("safeName accepted %q, which holds a separator or NUL", name)
		case strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsGraphic(r) }):
			t.Errorf("safeName accepted %q, which holds an invisible character", name)
		case strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") ||
			strings.HasSuffix(name, " "):
			t.Errorf("safeName accepted %q, a hidden name or one Windows would change", name)
		case filepath.Base(name) != name || !filepath.IsLocal(name):
			t.Errorf("safeName accepted %q, which is not a plain local name", name)
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	sum := strings.Repeat("ab", 32)
	f.Add([]byte(`{"filename":"a.png","size":3,"sha256":"` + sum + `"}` + "\n"))
	f.Add([]byte(`{"filename":"a.png","size":0,"sha256":"` + sum + `"}`))
	f.Add([]byte(`{"filename":"a.png","size":-1,"sha256":""}`))
	f.Add([]byte(`{"filename":1}`))
	f.Add([]byte(`{"size":1e99}`))
	f.Add([]byte("null"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, line []byte) {
		h, err := parseHeader(line)
		if err != nil {
			return
		}
		if h.Size < 0 {
			t.Errorf("parseHeader(%q) accepted size %d", line, h.Size)
		}
		if b, err := hex.DecodeString(h.SHA256); err != nil || len(b) != sha256.Size ||
			h.SHA256 != strings.ToLower(h.SHA256) {
			t.Errorf("parseHeader(%q) accepted sha256 %q", line, h.SHA256)
		}
		// What it accepted survives a round trip through JSON.
		again, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if h2, err := parseHeader(again); err != nil || h2 != h {
			t.Errorf("round trip of %q: got %+v, %v; want %+v", line, h2, err, h)
		}
	})
}

// BenchmarkClient measures receiving and saving a file: time, and bytes
// allocated (-benchmem). In json mode the whole message is in memory; in
// stream mode only a fixed-size buffer is, whatever the file's size.
func BenchmarkClient(b *testing.B) {
	cases := []struct {
		name, proto string
		size        int
	}{
		{"json/4MiB", "json", 4 << 20},
		{"stream/4MiB", "stream", 4 << 20},
		{"stream/16MiB", "stream", 16 << 20},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			data := randomBytes(bc.size, 5)
			reply := streamReply("bench.bin", data)
			if bc.proto == "json" {
				reply = jsonReply("bench.bin", data)
			}
			addr := loopback.Serve(b, sends(reply))
			args := []string{"-addr", addr, "-out", b.TempDir(), "-proto", bc.proto}
			b.SetBytes(int64(bc.size))
			b.ReportAllocs()
			for b.Loop() {
				err := run(context.Background(), args, nil, io.Discard, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
