package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// hostileFile is a file name that clears the screen when printed as it
// is; escaped is how quote shows it.
const (
	hostileFile = "\x1b[2Jred.png"
	escaped     = `\x1b[2Jred.png`
)

// wantEscaped fails the test unless out shows hostileFile escaped.
func wantEscaped(tb testing.TB, out string) {
	tb.Helper()
	if strings.Contains(out, "\x1b") || !strings.Contains(out, escaped) {
		tb.Errorf("got %q, want the name escaped: %s", out, escaped)
	}
}

func TestServerQuotesTheFileName(t *testing.T) {
	t.Run("the listening line shows an escape in the name escaped", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), hostileFile)
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Skipf("this system cannot hold the name: %v", err) // Windows
		}
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
			"-file", path}, nil)
		wantEscaped(t, p.Stderr())
	})

	t.Run("a missing file's error shows the name escaped", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), hostileFile)
		err := run(context.Background(), []string{"-addr", "127.0.0.1:0",
			"-file", path}, nil, io.Discard, io.Discard)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("got %v, want a missing file", err)
		}
		wantEscaped(t, err.Error())
	})
}
