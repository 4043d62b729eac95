// The tutorial's programs, translated line for line, run against the
// chapter's full programs, and the flaws they keep, shown as they are.
package tutorial_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"netprog/internal/loopback"
)

func TestWithTheFullPrograms(t *testing.T) {
	t.Run("the literal client saves the full server's file byte for byte", func(t *testing.T) {
		// Every byte value, and more than fits in one Read of 1024.
		want := make([]byte, 300_000)
		for i := range want {
			want[i] = byte(i * 7)
		}
		file := filepath.Join(t.TempDir(), "every-byte.bin")
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
		full := loopback.BuildAndRun(t, "../server",
			[]string{"-addr", "127.0.0.1:0", "-file", file})
		out := t.TempDir()
		stdout, stderr, err := loopback.Run(t, loopback.Build(t, "./client"), full.Addr, out)
		if err != nil {
			t.Fatalf("the client failed: %v; stderr %q", err, stderr)
		}
		if stdout != "The picture has been saved.\n" {
			t.Errorf("got %q, want the tutorial's line", stdout)
		}
		checkFile(t, filepath.Join(out, "every-byte.bin"), want)
	})

	t.Run("the full client saves the literal server's file byte for byte", func(t *testing.T) {
		literal := loopback.BuildAndRun(t, "./server", []string{"127.0.0.1:0"})
		out := t.TempDir()
		_, stderr, err := loopback.Run(t, loopback.Build(t, "../client"),
			"-addr", literal.Addr, "-out", out)
		if err != nil {
			t.Fatalf("the client failed: %v; stderr %q", err, stderr)
		}
		want, err := os.ReadFile(filepath.Join("server", "sample.png"))
		if err != nil {
			t.Fatal(err)
		}
		checkFile(t, filepath.Join(out, "sample.png"), want)
	})
}

func TestFlaws(t *testing.T) {
	t.Run("the literal client writes wherever the name from the server points", func(t *testing.T) {
		addr := loopback.Serve(t, func(conn net.Conn) {
			// "aGk=" is "hi" in base64.
			_, _ = conn.Write([]byte(`{"filename":"../escaped.txt","filedata":"aGk="}`))
		})
		top := t.TempDir()
		out := filepath.Join(top, "out")
		if err := os.Mkdir(out, 0o755); err != nil {
			t.Fatal(err)
		}
		_, stderr, err := loopback.Run(t, loopback.Build(t, "./client"), addr, out)
		if err != nil {
			t.Fatalf("the client failed: %v; stderr %q", err, stderr)
		}
		checkFile(t, filepath.Join(top, "escaped.txt"), []byte("hi"))
		if entries, err := os.ReadDir(out); err != nil || len(entries) > 0 {
			t.Errorf("the folder it was given holds %q (%q), want nothing",
				names(entries), fmt.Sprint(err))
		}
	})

	t.Run("the literal client replaces a file of the same name", func(t *testing.T) {
		literal := loopback.BuildAndRun(t, "./server", []string{"127.0.0.1:0"})
		out := t.TempDir()
		mine := filepath.Join(out, "sample.png")
		if err := os.WriteFile(mine, []byte("my own picture"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr, err := loopback.Run(t, loopback.Build(t, "./client"), literal.Addr, out)
		if err != nil {
			t.Fatalf("the client failed: %v; stderr %q", err, stderr)
		}
		want, err := os.ReadFile(filepath.Join("server", "sample.png"))
		if err != nil {
			t.Fatal(err)
		}
		checkFile(t, mine, want)
	})
}

// checkFile fails the test unless the file at path holds want.
func checkFile(tb testing.TB, path string, want []byte) {
	tb.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		tb.Errorf("%q, want a file of %d bytes there", err.Error(), len(want))
		return
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%q holds %d bytes that differ from the %d sent",
			path, len(got), len(want))
	}
}

// names lists the names of a folder's entries, for messages.
func names(entries []os.DirEntry) []string {
	var list []string
	for _, e := range entries {
		list = append(list, e.Name())
	}
	return list
}
