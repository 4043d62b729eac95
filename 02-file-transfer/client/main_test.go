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
		parts = append(parts, fmt.Sprintf("%q (%d bytes)", name, len(files[name])))
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
			dir := t.TempDir()
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

func TestClientReadsTheProtocolBytes(t *testing.T) {
	// The exact bytes the server sends for a file hi.txt holding "hi!",
	// as TestServerSendsTheProtocolBytes pins them.
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
}

func TestClientNeverReplacesFiles(t *testing.T) {
	// A folder the client is run in: a project of the user's.
	project := map[string]string{"Makefile": "all:\n", "go.mod": "module x\n",
		"sample.png": "the user's picture", "sample-1.png": "another"}
	for _, name := range slices.Sorted(maps.Keys(project)) {
		for _, proto := range []string{"json", "stream"} {
			t.Run(fmt.Sprintf("%s mode keeps the user's %s", proto, name), func(t *testing.T) {
				reply := jsonReply(name, []byte("from the server"))
				if proto == "stream" {
					reply = streamReply(name, []byte("from the server"))
				}
				dir := t.TempDir()
				for name, data := range project {
					writeFile(t, filepath.Join(dir, name), data)
				}
				out, err := receive(t, loopback.Serve(t, sends(reply)), dir,
					"-proto", proto)
				if err != nil {
					t.Fatal(err)
				}
				files := folder(t, dir)
				for name, data := range project {
					if files[name] != data {
						t.Errorf("%s holds %q, want the user's %q",
							name, files[name], data)
					}
				}
				free := freeName(name, project)
				if got := files[free]; got != "from the server" {
					t.Errorf("got %v, want the file saved as %s", describe(files), free)
				}
				if len(files) != len(project)+1 {
					t.Errorf("got %v, want the user's files and %s", describe(files), free)
				}
				want := fmt.Sprintf("saved %s (15 bytes): %s was there already "+
					"(-overwrite replaces it)\n", filepath.Join(dir, free),
					filepath.Join(dir, name))
				if out != want {
					t.Errorf("printed %q, want %q", out, want)
				}
			})
		}
	}

}

func TestClientOverwrite(t *testing.T) {
	t.Run("-overwrite replaces a file of the same name", func(t *testing.T) {
		dir := outFolder(t)
		addr := loopback.Serve(t, sends(jsonReply("photo.png", []byte("new"))))
		out, err := receive(t, addr, dir, "-overwrite")
		if err != nil {
			t.Fatal(err)
		}
		if files := folder(t, dir); len(files) != 1 || files["photo.png"] != "new" {
			t.Errorf("got %v, want photo.png replaced", describe(files))
		}
		if want := "saved " + filepath.Join(dir, "photo.png") + " (3 bytes)\n"; out != want {
			t.Errorf("printed %q, want %q", out, want)
		}
	})

	t.Run("each run takes the next free name", func(t *testing.T) {
		dir := outFolder(t)
		addr := loopback.Serve(t, sends(jsonReply("photo.png", []byte("new"))))
		for range 3 {
			if _, err := receive(t, addr, dir); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]string{"photo.png": "old", "photo-1.png": "new",
			"photo-2.png": "new", "photo-3.png": "new"}
		if got := folder(t, dir); !maps.Equal(got, want) {
			t.Errorf("got %v, want %v", describe(got), describe(want))
		}
	})
}

// freeName is the name saveFile gives name in a folder of files taken.
func freeName(name string, taken map[string]string) string {
	ext := filepath.Ext(name)
	for n := 1; ; n++ {
		try := fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ext), n, ext)
		if _, ok := taken[try]; !ok {
			return try
		}
	}
}

// writeFile writes data to the file at path.
func writeFile(tb testing.TB, path, data string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

func TestClientFlags(t *testing.T) {
	bad := [][]string{
		{"-proto", "xml"},
		{"-addr", "127.0.0.1"},
		{"-out", ""},
		{"-timeout", "0s"},
		{"-max-size", "lots"},
		{"-max-size", "0"},
		{"-retry", "-1"},
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

	t.Run("-max-size 20MiB is 20 MiB", func(t *testing.T) {
		cfg, err := parseFlags([]string{"-max-size", "20MiB"}, io.Discard)
		if err != nil || cfg.maxSize != 20<<20 {
			t.Errorf("got %d, %v; want %d", cfg.maxSize, err, 20<<20)
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
			// -overwrite: each run replaces the last one's file, rather
			// than filling the folder with bench-1.bin, bench-2.bin...
			args := []string{"-addr", addr, "-out", b.TempDir(), "-proto", bc.proto,
				"-overwrite"}
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
