package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSaveFile(t *testing.T) {
	for _, overwrite := range []bool{false, true} {
		t.Run(fmt.Sprintf("a failed save leaves the old file as it was "+
			"(overwrite %v)", overwrite), func(t *testing.T) {
			root, err := os.OpenRoot(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			if err := root.WriteFile("a.png", []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			boom := errors.New("connection reset")
			_, err = saveFile(root, "a.png", overwrite, func(w io.Writer) error {
				_, _ = w.Write([]byte("half a pic")) // some bytes, then trouble
				return boom
			})
			if !errors.Is(err, boom) {
				t.Errorf("got %q, want %q", err, boom)
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
		})
	}
}

// testUsersFile is a picture of the user's.
var testUsersFile = []byte("a picture the user keeps")

// testEarlier makes a folder with cat.png in it, as an earlier run or the
// user left it.
func testEarlier(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cat.png"), testUsersFile, 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// testHolds fails the test unless the file at path holds want.
func testHolds(tb testing.TB, path string, want []byte) {
	tb.Helper()
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		tb.Errorf("%s: got %d bytes, %v; want the %d bytes %.20q...",
			filepath.Base(path), len(got), err, len(want), want)
	}
}

// TestKeepFiles checks that the client never replaces a file it did not
// save in this run, unless -overwrite.
func TestKeepFiles(t *testing.T) {
	t.Run("a file already there is untouched; the picture gets the next "+
		"free name", func(t *testing.T) {
		f := (&fakeAPI{names: []string{"cat.png"}}).start(t)
		dir := testEarlier(t)
		out, err := fetchAll(t, f, dir, "-num", "1")
		if err != nil {
			t.Fatal(err)
		}
		testHolds(t, filepath.Join(dir, "cat.png"), testUsersFile)
		testHolds(t, filepath.Join(dir, "cat-1.png"), tinyPNG)
		want := "saved " + filepath.Join(dir, "cat-1.png") + " (" +
			fmt.Sprint(len(tinyPNG)) + " bytes; cat.png is taken)"
		if !strings.Contains(out, want) {
			t.Errorf("output %q does not contain %q", out, want)
		}
	})

	t.Run("-overwrite replaces it", func(t *testing.T) {
		f := (&fakeAPI{names: []string{"cat.png"}}).start(t)
		dir := testEarlier(t)
		if _, err := fetchAll(t, f, dir, "-num", "1", "-overwrite"); err != nil {
			t.Fatal(err)
		}
		testHolds(t, filepath.Join(dir, "cat.png"), tinyPNG)
		if got := testFiles(t, dir); !slices.Equal(got, []string{"cat.png"}) {
			t.Errorf("got files %q, want [cat.png]", got)
		}
	})

	t.Run("a second run saves beside the first", func(t *testing.T) {
		f := (&fakeAPI{names: []string{"a.png", "b.png"}}).start(t)
		dir := t.TempDir()
		for range 2 {
			if _, err := fetchAll(t, f, dir, "-num", "2"); err != nil {
				t.Fatal(err)
			}
		}
		want := []string{"a-1.png", "a.png", "b-1.png", "b.png"}
		if got := testFiles(t, dir); !slices.Equal(got, want) {
			t.Errorf("got files %q, want %q", got, want)
		}
	})

	for _, flags := range [][]string{nil, {"-overwrite"}} {
		t.Run(fmt.Sprintf("two pictures of one run keep both, with flags %q",
			flags), func(t *testing.T) {
			f := (&fakeAPI{names: []string{"x/dup.png", "y/dup.png", "z/DUP.png"}}).start(t)
			dir := t.TempDir()
			if _, err := fetchAll(t, f, dir, append(flags, "-num", "3")...); err != nil {
				t.Fatal(err)
			}
			if got := testFiles(t, dir); len(got) != 3 {
				t.Errorf("got files %q, want 3", got)
			}
		})
	}
}
