package course

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// chapter is a chapter folder, and what the course's tests read of it.
type chapter struct {
	dir, name string
	readme    string
	exercises string            // the README's "## Exercises" section; "" if none
	tests     map[string][]byte // each *_test.go of its programs, by path
	buildIt   []buildIt         // the exercises of its "### Build it"
}

// buildIt is a build-it exercise: its number, the test the README names
// for it, the program folder that holds that test, and whether the test
// still starts with its skip line. A learner who has started the
// exercise has deleted that line, and changes the program as it asks:
// the course's own checks must pass on that work too.
type buildIt struct {
	n, test, program string
	waiting          bool
}

// root is the top of the repository, seen from this package's folder.
var root = filepath.Join("..", "..")

// chapters reads every chapter folder below top: 01-tcp-time,
// 02-file-transfer...
func chapters(tb testing.TB, top string) []chapter {
	tb.Helper()
	dirs, err := filepath.Glob(filepath.Join(top, "0*"))
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
		c.buildIt = c.findBuildIt()
		all = append(all, c)
	}
	return all
}

// item is the start of an item of a numbered list: "12. ".
var item = regexp.MustCompile(`(?m)^(\d+)\. `)

// findBuildIt returns the build-it exercises: each item of the
// "### Build it" list with the tests it names that the chapter has.
func (c chapter) findBuildIt() []buildIt {
	_, list, _ := strings.Cut(c.exercises, "\n### Build it\n")
	list, _, _ = strings.Cut(list, "\n### ")
	var found []buildIt
	for _, m := range item.FindAllStringSubmatch(list, -1) {
		for _, test := range testName.FindAllString(exercise(list, m[1]), -1) {
			for path, data := range c.tests {
				head := "\nfunc " + test + "(t *testing.T) {\n"
				_, body, ok := strings.Cut(string(data), head)
				if !ok {
					continue
				}
				found = append(found, buildIt{n: m[1], test: test,
					program: filepath.Dir(path),
					waiting: strings.HasPrefix(body, "\tt.Skip(\"exercise")})
			}
		}
	}
	return found
}

// started returns the number of a build-it exercise that the learner has
// started in the program folder that holds path, or "" if none: that
// program is the learner's to change, and the course's checks leave it be.
func started(all []chapter, path string) string {
	for _, c := range all {
		for _, b := range c.buildIt {
			if !b.waiting && strings.HasPrefix(filepath.Clean(path),
				b.program+string(filepath.Separator)) {
				return b.n
			}
		}
	}
	return ""
}

// anyStarted returns the number of a build-it exercise of the chapter
// that the learner has started, or "" if none.
func (c chapter) anyStarted() string {
	for _, b := range c.buildIt {
		if !b.waiting {
			return b.n
		}
	}
	return ""
}
