package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"netprog/internal/loopback"
)

func TestClientRemovesStaleTemporaryFiles(t *testing.T) {
	// Files a copy of the client killed while saving would leave, and
	// files that are not the client's.
	ours := []string{".incoming-A.part", ".incoming-B.part"}
	notOurs := []string{"notes.part", ".incoming-C.txt", ".download-D.part", "photo.png"}
	tests := []struct {
		name  string
		stale []string // ours, and older than an hour
		want  string
	}{
		{"one stale file is removed", ours[:1], "removed 1 stale temporary file from %s\n"},
		{"two stale files are removed", ours, "removed 2 stale temporary files from %s\n"},
		{"nothing stale, nothing said", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			hoursAgo := time.Now().Add(-2 * time.Hour)
			for _, name := range append(notOurs, tc.stale...) {
				path := filepath.Join(dir, name)
				writeFile(t, path, "x")
				if err := os.Chtimes(path, hoursAgo, hoursAgo); err != nil {
					t.Fatal(err)
				}
			}
			// One being written now, by another copy of the client.
			writeFile(t, filepath.Join(dir, ".incoming-NOW.part"), "x")

			addr := loopback.Serve(t, sends(jsonReply("a.txt", []byte("a"))))
			var stderr bytes.Buffer
			err := run(context.Background(), []string{"-addr", addr, "-out", dir},
				nil, &bytes.Buffer{}, &stderr)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			if want != "" {
				want = fmt.Sprintf(want, dir)
			}
			if stderr.String() != want {
				t.Errorf("got stderr %q, want %q", stderr.String(), want)
			}
			files := folder(t, dir)
			for _, name := range tc.stale {
				if _, ok := files[name]; ok {
					t.Errorf("%s is still there, want it removed", name)
				}
			}
			for _, name := range append(notOurs, ".incoming-NOW.part", "a.txt") {
				if _, ok := files[name]; !ok {
					t.Errorf("%s is gone, want it kept", name)
				}
			}
		})
	}
}
