package course

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// shared are the files that several programs hold in identical copies:
// each program folder stays self-contained (a learner can copy it
// alone), and a learner who has read one copy knows them all.
var shared = []string{"names.go", "save.go", "size.go", "listen.go",
	"accept.go", "limit.go", "limit_test.go", "limit_unix.go",
	"limit_other.go", "httpserver.go", "httpserver_test.go", "neterror.go",
	"httperror.go", "sign.go", "mobile.go", "mobile_test.go", "failure.go",
	"local.go", "tap.go", "tap_test.go", "taphttp.go", "taphttp_test.go",
	"hide.go", "hide_test.go"}

// program matches a program folder's name in a file's first comment.
var program = regexp.MustCompile(`\d\d-[a-z-]+/(?:server|client)`)

// TestSharedFilesAreIdentical fails when the copies of a shared file
// differ, or when the comment at the top of the file does not name
// exactly the programs that hold it.
func TestSharedFilesAreIdentical(t *testing.T) {
	for _, name := range shared {
		t.Run(name, func(t *testing.T) {
			paths, err := filepath.Glob(filepath.Join("..", "..", "*", "*", name))
			if err != nil {
				t.Fatal(err)
			}
			if len(paths) < 2 {
				t.Fatalf("found %d copies of %s, want at least 2", len(paths), name)
			}
			var holders []string
			var first []byte
			for _, p := range paths {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if first == nil {
					first = data
				} else if !bytes.Equal(data, first) {
					t.Errorf("%s differs from %s: make the copies the same",
						p, paths[0])
				}
				holders = append(holders, filepath.ToSlash(
					filepath.Join(filepath.Base(filepath.Dir(filepath.Dir(p))),
						filepath.Base(filepath.Dir(p)))))
			}
			header, _, _ := bytes.Cut(first, []byte("\npackage "))
			named := program.FindAllString(string(header), -1)
			slices.Sort(named)
			if !slices.Equal(named, holders) {
				t.Errorf("%s's first comment names %q, but the programs "+
					"that hold it are %q", name, named, holders)
			}
		})
	}
}
