// This file is the same in 02-file-transfer/client, 03-image-download/client
// and 04-email/server; a test keeps the copies identical.

package main

import (
	"cmp"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Temporary files are .incoming-RANDOM.part: hidden names, never saved under.
const tempPrefix, tempSuffix = ".incoming-", ".part"

// openFolder makes the folder dir (-out) if it is missing, opens it as an
// os.Root, which refuses any name that leads out of it, and tidies it:
// it returns cleanUp's line for the log.
func openFolder(dir string) (*os.Root, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", fmt.Errorf("-out: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", fmt.Errorf("-out: %w", err)
	}
	return root, cleanUp(root, dir), nil
}

// saveFile saves what write writes as name in root, atomically: a
// temporary file gets the name once complete and on disk. A taken name is
// replaced only if overwrite is true; else it saves under the next free
// name, as browsers do ("photo-1.png"), and returns the name it used.
func saveFile(root *os.Root, name string, overwrite bool,
	write func(io.Writer) error) (string, error) {
	tmp := tempPrefix + rand.Text() + tempSuffix
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", fmt.Errorf("create a temporary file: %w", err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync() // on disk before the name makes it visible
	}
	err = cmp.Or(err, f.Close()) // the first error; closed either way
	switch {
	case err != nil: // no name for a failure
	case overwrite:
		if err = root.Rename(tmp, name); err != nil { // replaces name
			err = fmt.Errorf("save as %s: %w", name, err)
		}
	default:
		name, err = linkFree(root, tmp, name)
	}
	// After a rename tmp is gone, after a link it is a second name, after
	// a failure what is left; if this fails, removeStale takes it later.
	_ = root.Remove(tmp)
	if err != nil {
		return "", err
	}
	// The new name on disk too, against a power cut (best effort: Windows
	// cannot sync a folder, nor needs to).
	if dir, err := root.Open("."); err == nil {
		_ = dir.Sync()
		_ = dir.Close() // opened for reading: nothing to lose
	}
	return name, nil
}

// linkFree gives tmp the first free name of name, name-1.ext, ... by a
// hard link: the system checks and links in one step, so no other
// program can take the name between the two.
func linkFree(root *os.Root, tmp, name string) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 0; n < 1000; n++ {
		try := name
		if n > 0 {
			try = stem + "-" + strconv.Itoa(n) + ext
		}
		err := root.Link(tmp, try)
		if err != nil && !errors.Is(err, fs.ErrExist) {
			err = claim(root, tmp, try) // no hard links (FAT, some shares)
		}
		if err == nil {
			return try, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("save as %s: %w", try, err)
		}
	}
	return "", fmt.Errorf("save as %s: the names up to %s-999%s are "+
		"all taken", name, stem, ext)
}

// claim names tmp name without a hard link: it creates name empty (which
// fails if it is taken), then renames tmp over it.
func claim(root *os.Root, tmp, name string) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_ = f.Close() // empty: nothing to lose
	if err = root.Rename(tmp, name); err != nil {
		_ = root.Remove(name) // our own empty file
	}
	return err
}

// removeStale removes the temporary files that a killed copy of the
// program left in root (kill -9, a power cut): those unchanged for an
// hour, as a copy still saving writes far more often. It returns how many.
func removeStale(root *os.Root) (int, error) {
	dir, err := root.Open(".")
	if err != nil {
		return 0, err
	}
	defer dir.Close() // opened for reading: nothing to lose
	removed := 0
	for {
		entries, err := dir.ReadDir(256) // a few at a time: bounded memory
		for _, e := range entries {
			name := e.Name()
			if !e.Type().IsRegular() || !strings.HasPrefix(name, tempPrefix) ||
				!strings.HasSuffix(name, tempSuffix) {
				continue
			}
			info, err := e.Info()
			if err != nil || time.Since(info.ModTime()) < time.Hour {
				continue // gone meanwhile, or perhaps still being written
			}
			if root.Remove(name) == nil {
				removed++
			}
		}
		if errors.Is(err, io.EOF) {
			return removed, nil
		}
		if err != nil {
			return removed, err
		}
	}
}

// cleanUp runs removeStale in root, the folder dir, and returns a line
// that says what it did, or "" if nothing: a failure is a line too.
func cleanUp(root *os.Root, dir string) string {
	n, err := removeStale(root)
	switch {
	case err != nil:
		return fmt.Sprintf("look for stale temporary files in %s: %v", dir, err)
	case n == 1:
		return "removed 1 stale temporary file from " + dir
	case n > 1:
		return fmt.Sprintf("removed %d stale temporary files from %s", n, dir)
	}
	return ""
}
