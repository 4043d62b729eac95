package course

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// span is an inline code span of Markdown: `text`, possibly across lines.
var span = regexp.MustCompile("`([^`]+)`")

// command is what a learner types into a shell, and file is a file's
// name: neither is Go code.
var (
	command = regexp.MustCompile(`^go (run|test|vet|build|doc|mod|env|version|tool)\b|^(git|nc|curl|telnet|swaks|python3|head|printf|socat|openssl|kill|ls|cat|diff|sha256sum|export|GOFLAGS|SMTP_|TIANAPI_|SMS_)\b|^-|^\$'|\./`)
	file    = regexp.MustCompile(`^[\w.-]+\.(go|py|md|png|txt|eml)$|^[\w.-]+/[\w./-]*$`)
)

// written are the fragments of Go that an exercise asks the learner to
// write: they are not in the code until the learner writes them. Every
// other fragment an exercise quotes must be in the chapter's code.
var written = map[string][]string{
	"01-tcp-time": {"time.Sleep(time.Second)", "time.RFC3339Nano",
		"var err error"},
	"02-file-transfer": {"os.O_WRONLY|os.O_CREATE|os.O_TRUNC", `{"offset":N}`},
	"03-image-download": {"for range jobs", "path.Base(u.Path)",
		"&http.Client{Transport: cfg.transport}", "%.200s",
		`"http://" + r.Host`, "time.NewTicker", "time.Second / N"},
	"04-email": {"_ = cr", "n + 1", "c.text = textproto.NewConn(conn)",
		"tls.Client(c.conn, config)"},
	"05-sms": {"print(params)", "fmt.Fprintln(stdout, form)", "fmt.Println(form)"},
}

// TestExerciseCodeExists fails when an exercise quotes code that the
// chapter no longer has: every name and every fragment of Go in a
// chapter's "## Exercises" section must be in the chapter's Go files, so
// an exercise cannot send a learner to a function that moved.
func TestExerciseCodeExists(t *testing.T) {
	checkExerciseCode(t, chapters(t, root), t.Errorf, t.Logf)
}

// checkExerciseCode reports, through errorf, each fragment of code that
// an exercise quotes and the chapter does not have. Once a learner has
// started a build-it exercise, the code is theirs to change: a fragment
// it no longer has is a note (notef), not an error.
func checkExerciseCode(tb testing.TB, all []chapter, errorf, notef func(string, ...any)) {
	tb.Helper()
	for _, c := range all {
		if c.exercises == "" {
			errorf("%s: no ## Exercises section", c.name)
			continue
		}
		chapter, code := c.name, goText(tb, c.dir)
		quoted := map[string]bool{}
		for _, m := range span.FindAllStringSubmatch(c.exercises, -1) {
			s := strings.Join(strings.Fields(m[1]), " ")
			quoted[s] = true
			if command.MatchString(s) || file.MatchString(s) ||
				strings.HasPrefix(s, "t.Skip") ||
				slices.Contains(written[chapter], s) {
				continue
			}
			// "..." stands for code left out: each piece must be there.
			for _, piece := range strings.Split(strings.TrimSuffix(s, "()"), "...") {
				if bytes.Contains(code, []byte(piece)) {
					continue
				}
				if n := c.anyStarted(); n != "" {
					notef("%s/README.md: an exercise quotes %q, which your "+
						"work on exercise %s may have changed", chapter, s, n)
				} else {
					errorf("%s/README.md: an exercise quotes %q, which is not "+
						"in the chapter's code", chapter, s)
				}
				break
			}
		}
		for _, s := range written[chapter] {
			if !quoted[s] {
				errorf("%s/README.md: no exercise quotes %q now: take it "+
					"out of written", chapter, s)
			}
		}
	}
}

// goText is every Go file of a chapter, its runs of white space made one
// space, so that a fragment wrapped across lines in a README still matches.
func goText(tb testing.TB, dir string) []byte {
	tb.Helper()
	var all []byte
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".go" {
			return err
		}
		data, err := os.ReadFile(path)
		all = append(all, data...)
		all = append(all, ' ')
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return []byte(strings.Join(strings.Fields(string(all)), " "))
}

// skip is the first line of a build-it exercise's test: the test is
// written, and waits for the learner.
var skip = regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\) \{\n\tt\.Skip\("exercise (\d+): [^"]+ — delete this line to start"\)$`)

// TestBuildItExercises checks that every chapter has at least two
// exercises that ask the learner to build something, each naming a test
// the chapter has, and that a test still waiting for its exercise says
// so in the skip line's form, with the number of the exercise that names
// it. (.ci/run checks that each test fails once its skip line is gone:
// the work is not done yet.)
func TestBuildItExercises(t *testing.T) {
	checkBuildIt(chapters(t, root), t.Errorf)
}

// checkBuildIt reports, through errorf, what TestBuildItExercises finds.
// The exercises are counted from the README, so that a learner who has
// done them (and deleted the skip lines) still has them all.
func checkBuildIt(all []chapter, errorf func(string, ...any)) {
	for _, c := range all {
		for path, data := range c.tests {
			if bytes.Contains(data, []byte(`t.Skip("exercise`)) &&
				len(skip.FindAll(data, -1)) != bytes.Count(data, []byte(`t.Skip("exercise`)) {
				errorf("%s: a build-it test must start with "+
					`t.Skip("exercise N: ... — delete this line to start")`, path)
			}
			for _, m := range skip.FindAllSubmatch(data, -1) {
				item := exercise(c.exercises, string(m[2]))
				if !strings.Contains(item, string(m[1])) {
					errorf("%s: exercise %s of the README does not name %s, "+
						"the test that checks it", c.name, m[2], m[1])
				}
			}
		}
		exercises := map[string]bool{}
		for _, b := range c.buildIt {
			exercises[b.n] = true
		}
		if len(exercises) < 2 {
			errorf("%s has %d build-it exercises that name their test, "+
				"want at least 2", c.name, len(exercises))
		}
	}
}

// exercise returns the text of item n of a numbered list.
func exercise(section, n string) string {
	start := regexp.MustCompile(`(?m)^` + n + `\. `).FindStringIndex(section)
	if start == nil {
		return ""
	}
	rest := section[start[1]:]
	if end := regexp.MustCompile(`(?m)^\d+\. `).FindStringIndex(rest); end != nil {
		rest = rest[:end[0]]
	}
	return rest
}
