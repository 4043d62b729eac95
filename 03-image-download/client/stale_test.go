package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStaleFiles(t *testing.T) {
	tests := []struct {
		name  string
		stale int    // temporary files older than an hour
		want  string // the line the client prints, if any
	}{
		{"no stale file, no line", 0, ""},
		{"one stale file is removed, and said so", 1,
			"removed 1 stale temporary file from "},
		{"three stale files are removed, and said so", 3,
			"removed 3 stale temporary files from "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			old := time.Now().Add(-2 * time.Hour)
			for i := range tc.stale {
				path := filepath.Join(dir, ".incoming-OLD"+string(rune('A'+i))+".part")
				if err := os.WriteFile(path, []byte("half"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(path, old, old); err != nil {
					t.Fatal(err)
				}
			}
			// A copy of the client that is saving right now.
			fresh := ".incoming-NEW.part"
			if err := os.WriteFile(filepath.Join(dir, fresh), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			f := (&fakeAPI{names: []string{"a.png"}}).start(t)
			out, err := fetchAll(t, f, dir, "-num", "1")
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Count(out, "stale temporary")
			switch {
			case tc.want == "" && got != 0:
				t.Errorf("output %q mentions stale files, want no line", out)
			case tc.want != "" && (got != 1 || !strings.Contains(out, tc.want+dir+"\n")):
				t.Errorf("output %q, want one line %q", out, tc.want+dir)
			}
			want := []string{fresh, "a.png"}
			if got := files(t, dir); !slices.Equal(got, want) {
				t.Errorf("got files %q, want %q", got, want)
			}
		})
	}
}
