package main

import (
	"fmt"
	"io"
	"os"
)

// file is a picture saved in the output folder.
type file struct {
	name   string // the name it was saved under
	wanted string // the name it was to have: another file had it, if not name
	size   int64
}

// savePicture saves body in root as want, or, if a file has that name,
// as the next free name (want-1.png): it never replaces a file, unless
// -overwrite says so.
//
// Two pictures of one run never get one name either. Without -overwrite,
// saveFile sees to that: it gives each picture the first free name in one
// step with the system (a hard link, which is never made over a file), so
// a picture saved a moment ago is as safe as a file from an earlier run.
// With -overwrite, saveFile replaces whatever has the name, so the run
// hands out the names itself (names): the second "a.png" of a run becomes
// "a-1.png", and so does "A.png", since Windows and macOS take it for the
// same name.
func savePicture(root *os.Root, want string, body io.Reader, cfg config,
	names *nameSet) (file, error) {
	name := want
	if cfg.overwrite {
		name = names.take(want)
	}
	var size int64
	used, err := saveFile(root, name, cfg.overwrite, func(w io.Writer) error {
		// Copied 32 KiB at a time: a picture is never whole in memory.
		n, err := io.Copy(w, body)
		if err != nil {
			return err
		}
		if n > cfg.maxSize {
			return fmt.Errorf("larger than -max-size %s", formatSize(cfg.maxSize))
		}
		size = n
		return nil
	})
	if err != nil {
		if cfg.overwrite {
			names.release(name)
		}
		return file{}, err
	}
	return file{name: used, wanted: want, size: size}, nil
}
