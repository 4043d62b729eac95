package main

import (
	"fmt"
	"io"
	"os"
)

// cleanUp removes the temporary files that a killed copy of the client
// left in the output folder dir (see removeStale), and says so in one
// line. It is housekeeping: if the folder cannot be read, it says so and
// the downloads go on.
func cleanUp(root *os.Root, dir string, stderr io.Writer) {
	n, err := removeStale(root)
	if n > 0 {
		files := "files"
		if n == 1 {
			files = "file"
		}
		fmt.Fprintf(stderr, "removed %d stale temporary %s from %s\n",
			n, files, dir)
	}
	if err != nil {
		fmt.Fprintf(stderr, "look for stale temporary files in %s: %v\n", dir, err)
	}
}
