package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"os"
)

// saveAtomic creates a temporary file in root, lets write fill it, and
// renames it to name only if everything succeeded. On failure, or Ctrl-C,
// the temporary file is removed and name is untouched.
func saveAtomic(root *os.Root, name string, write func(io.Writer) error) error {
	tmp := ".download-" + rand.Text() + ".part"
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create a temporary file: %w", err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync() // on disk before the rename makes it visible
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp) // best effort: the error that matters is err
		return err
	}
	return nil
}
