package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// claim is what saveFile falls back on where the file system has no hard
// links (FAT, some network shares); this machine's has them, so it is
// tested on its own.
func TestClaim(t *testing.T) {
	setup := func(t *testing.T) (*os.Root, string) {
		t.Helper()
		dir := t.TempDir()
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = root.Close() }) // read-only use after the test
		if err := root.WriteFile(".incoming-x.part", []byte("new"), 0o644); err != nil {
			t.Fatal(err)
		}
		return root, dir
	}

	t.Run("a free name gets the file", func(t *testing.T) {
		root, dir := setup(t)
		if err := claim(root, ".incoming-x.part", "a.png"); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "a.png"))
		if err != nil || string(got) != "new" {
			t.Errorf("a.png holds %q, %v; want \"new\"", got, err)
		}
		if _, err := root.Stat(".incoming-x.part"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the temporary file is still there: %v", err)
		}
	})

	t.Run("a taken name is left alone", func(t *testing.T) {
		root, dir := setup(t)
		if err := root.WriteFile("a.png", []byte("yours"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := claim(root, ".incoming-x.part", "a.png")
		if !errors.Is(err, fs.ErrExist) {
			t.Errorf("got %v, want fs.ErrExist", err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "a.png"))
		if err != nil || string(got) != "yours" {
			t.Errorf("a.png holds %q, %v; want \"yours\", untouched", got, err)
		}
	})
}
