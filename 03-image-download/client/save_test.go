package main

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"testing"
)

func TestSaveAtomic(t *testing.T) {
	root, err := os.OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := root.WriteFile("a.png", []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("connection reset")
	err = saveAtomic(root, "a.png", func(w io.Writer) error {
		_, _ = w.Write([]byte("half a pic")) // some bytes, then trouble
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want %v", err, boom)
	}
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "a.png" {
		t.Errorf("the folder holds %v, want a.png alone", entries)
	}
	if data, _ := root.ReadFile("a.png"); string(data) != "old" {
		t.Errorf("a.png holds %q, want the old %q", data, "old")
	}
}
