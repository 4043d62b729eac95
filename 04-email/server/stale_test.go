package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"netprog/internal/loopback"
)

func TestStartRemovesStaleTemporaryFiles(t *testing.T) {
	tests := []struct {
		name  string
		stale []string
		want  string // the line on stderr; "" for none
	}{
		{"one stale file is removed, and said in one line",
			[]string{".incoming-OLD1.part"}, "removed 1 stale temporary file from "},
		{"two stale files are removed, and said in one line",
			[]string{".incoming-OLD1.part", ".incoming-OLD2.part"},
			"removed 2 stale temporary files from "},
		{"with nothing stale, nothing is said", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			// A message, a temporary file another copy is writing now,
			// and the ones a killed copy left two hours ago.
			fresh := []string{"20260101-000000.000000-AAAAAAAAAA.eml",
				".incoming-NOW.part"}
			old := time.Now().Add(-2 * time.Hour)
			for _, name := range append(fresh, tt.stale...) {
				path := filepath.Join(out, name)
				if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(path, old, old); err != nil {
					t.Fatal(err)
				}
			}
			now := time.Now()
			err := os.Chtimes(filepath.Join(out, fresh[1]), now, now)
			if err != nil {
				t.Fatal(err)
			}

			p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
				"-out", out}, nil)
			if err := p.Stop(); err != nil {
				t.Fatal(err)
			}
			got := strings.Count(p.Stderr(), "stale temporary")
			if tt.want == "" && got != 0 ||
				tt.want != "" && (got != 1 || !strings.Contains(p.Stderr(), tt.want+out)) {
				t.Errorf("got stderr %q, want %q once", p.Stderr(), tt.want+out)
			}
			for _, name := range tt.stale {
				_, err := os.Stat(filepath.Join(out, name))
				if !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s: got %v, want it removed", name, err)
				}
			}
			for _, name := range fresh {
				if _, err := os.Stat(filepath.Join(out, name)); err != nil {
					t.Errorf("%s: got %v, want it kept", name, err)
				}
			}
		})
	}
}

func TestListenErrorSaysWhatToDo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	args := []string{"-addr", ln.Addr().String(), "-out", t.TempDir()}
	err = run(context.Background(), args, os.Getenv, io.Discard, io.Discard)
	if !errors.Is(err, syscall.EADDRINUSE) && !errors.Is(err, wsaeaddrinuse) {
		t.Errorf("got %v, want EADDRINUSE", err)
	}
	if err == nil || !strings.Contains(err.Error(), "another program") {
		t.Errorf("got %v, want a hint that another program has the port", err)
	}
}
