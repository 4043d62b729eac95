package course

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// chapter is a chapter folder, and what the course's tests read of it.
type chapter struct {
	dir, name string
	readme    string
	exercises string            // the README's "## Exercises" section; "" if none
	tests     map[string][]byte // each *_test.go of its programs, by path
}

// chapters reads every chapter folder: 01-tcp-time, 02-file-transfer...
func chapters(tb testing.TB) []chapter {
	tb.Helper()
	dirs, err := filepath.Glob(filepath.Join("..", "..", "0*"))
	if err != nil {
		tb.Fatal(err)
	}
	var all []chapter
	for _, dir := range dirs {
		readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
		if err != nil {
			tb.Fatal(err)
		}
		c := chapter{dir: dir, name: filepath.Base(dir), readme: string(readme),
			tests: map[string][]byte{}}
		if _, section, ok := strings.Cut(c.readme, "\n## Exercises\n"); ok {
			c.exercises, _, _ = strings.Cut(section, "\n## ")
		}
		paths, err := filepath.Glob(filepath.Join(dir, "*", "*_test.go"))
		if err != nil {
			tb.Fatal(err)
		}
		for _, path := range paths {
			if c.tests[path], err = os.ReadFile(path); err != nil {
				tb.Fatal(err)
			}
		}
		all = append(all, c)
	}
	return all
}
