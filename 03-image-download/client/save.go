// This file is the same in every program that saves what it receives:
// 02-file-transfer/client, 03-image-download/client and 04-email/server. A
// test keeps the copies identical.

package main

import (
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

// Temporary files are named .incoming-RANDOM.part: hidden, a kind of
// name the programs never save under, so they cannot clash with a saved
// file.
const (
	tempPrefix = ".incoming-"
	tempSuffix = ".part"
)

// openFolder makes the folder dir (the -out flag) if it is missing, and
// opens it as an os.Root: every file is saved through the root, which
// refuses any name that would lead out of the folder. It also removes
// what a killed copy of the program left there, and returns cleanUp's
// line for the log, or "".
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

// saveFile saves a file called name in root, atomically: write fills a
// temporary file, which gets the name only once it is complete and on
// disk. A failure, or Ctrl-C, leaves no half-written file under name.
//
// If a file called name exists, saveFile replaces it only when overwrite
// is true. Otherwise it saves under the next free name, as browsers do:
// "photo-1.png", then "photo-2.png". It returns the name it used.
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
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		if overwrite {
			if err = root.Rename(tmp, name); err != nil { // replaces name
				err = fmt.Errorf("save as %s: %w", name, err)
			}
		} else {
			name, err = linkFree(root, tmp, name)
		}
	}
	// After a rename tmp is gone; after a link it is a second name for
	// the saved file; after a failure it is what is left of it. Should
	// the remove fail, removeStale takes the file at a later start.
	_ = root.Remove(tmp)
	if err != nil {
		return "", err
	}
	syncDir(root)
	return name, nil
}

// linkFree gives the file tmp the name name, or the first of name-1.ext,
// name-2.ext, ... that no file has. A hard link is never made over an
// existing file: the system checks and links in one step, so no other
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
			// Some file systems have no hard links (FAT on a USB
			// stick, some network shares).
			err = claim(root, tmp, try)
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

// claim gives tmp the name name where there are no hard links: it
// creates name empty, which fails if a file has it, then renames tmp over
// that empty file of its own. For a moment the name holds an empty file,
// never a part of one.
func claim(root *os.Root, tmp, name string) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_ = f.Close() // empty: nothing to lose
	if err := root.Rename(tmp, name); err != nil {
		_ = root.Remove(name) // our own empty file
		return err
	}
	return nil
}

// syncDir puts root's list of names on disk, so a saved file's name
// survives a power cut. Unix can sync a folder; Windows cannot, and
// makes its names durable by itself: the error there changes nothing.
func syncDir(root *os.Root) {
	if dir, err := root.Open("."); err == nil {
		_ = dir.Sync()  // see above: best effort by design
		_ = dir.Close() // opened for reading: nothing to lose
	}
}

// staleAfter is how old a temporary file is before removeStale takes it
// for one left behind by a copy of the program that was killed. A copy
// that is still saving writes to its file far more often than that (every
// transfer has a deadline much shorter), which keeps the file's time new.
const staleAfter = time.Hour

// removeStale removes the temporary files that a killed copy of the
// program left in root (kill -9 or a power cut give saveFile no chance to
// remove them), and returns how many it removed.
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
			if err != nil || time.Since(info.ModTime()) < staleAfter {
				continue // gone meanwhile, or perhaps still being written
			}
			if err := root.Remove(name); err == nil {
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

// cleanUp removes the temporary files that a killed copy of the program
// left in root, the folder dir (see removeStale), and returns a line that
// says so, or "" when there was nothing to remove. It is housekeeping:
// if the folder cannot be read, the line says that, and the program goes
// on.
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
