package course

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestChecksPassOnFinishedExercises runs the course's checks on a copy
// of the chapters as a learner leaves them after the build-it exercises:
// every skip line deleted, and the programs changed (here, every tab of
// their code made spaces, so no README block matches it as it is). The
// checks must pass on that work, as they pass on the course itself.
func TestChecksPassOnFinishedExercises(t *testing.T) {
	top := t.TempDir()
	skipLine := regexp.MustCompile(`(?m)^\tt\.Skip\("exercise.*\n`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, path)
		switch {
		case err != nil:
			return err
		case d.IsDir() && (strings.HasPrefix(d.Name(), ".") && rel != "." ||
			rel == "internal"):
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(filepath.Join(top, rel), 0o755)
		case !strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, ".md"):
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.HasSuffix(path, "_test.go") {
			data = skipLine.ReplaceAll(data, nil)
		}
		return os.WriteFile(filepath.Join(top, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	changed := map[string]bool{} // program folders with a build-it test
	for _, c := range chapters(t, top) {
		for _, b := range c.buildIt {
			changed[b.program] = true
		}
	}
	if len(changed) == 0 {
		t.Fatal("found no build-it exercise to finish")
	}
	for dir := range changed {
		code, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range code {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			learners := strings.ReplaceAll(string(data), "\t", "    ")
			if err := os.WriteFile(path, []byte(learners), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	var problems []string
	collect := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	quiet := func(string, ...any) {} // the notes are for a learner
	all := chapters(t, top)
	checkBuildIt(all, collect)
	checkExerciseCode(t, all, collect, quiet)
	checkREADMECode(t, top, collect, quiet)
	for _, p := range problems {
		t.Errorf("on a learner's finished exercises: %s", p)
	}
}
