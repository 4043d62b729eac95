package course

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMECodeIsTheCode keeps the Go code in the READMEs true: every
// ```go block starts with a comment naming its file (// PATH, from the
// top of the repository), and the rest of the block must appear in that
// file exactly as it is, so a README cannot show code the programs no
// longer have.
func TestREADMECodeIsTheCode(t *testing.T) {
	checkREADMECode(t, root, t.Errorf, t.Logf)
}

// checkREADMECode reports, through errorf, each block of a README below
// top that is not in its file. A program in which the learner has
// started a build-it exercise is theirs to change: a block that differs
// from it is a note (notef), not an error.
func checkREADMECode(tb testing.TB, top string, errorf, notef func(string, ...any)) {
	tb.Helper()
	all := chapters(tb, top)
	readmes := []string{filepath.Join(top, "README.md")}
	for _, c := range all {
		readmes = append(readmes, filepath.Join(c.dir, "README.md"))
	}
	for _, readme := range readmes {
		for _, b := range goBlocks(tb, readme) {
			path, ok := strings.CutPrefix(b.first, "// ")
			if !ok || !strings.HasSuffix(path, ".go") {
				errorf("%s:%d: a go block starts with %q, want // PATH.go",
					readme, b.line, b.first)
				continue
			}
			file := filepath.Join(top, filepath.FromSlash(path))
			code, err := os.ReadFile(file)
			switch {
			case err != nil:
				errorf("%s:%d: %v", readme, b.line, err)
			case bytes.Contains(code, []byte(b.body)):
			case started(all, file) != "":
				notef("%s:%d: the block differs from %s, which your work "+
					"on exercise %s may have changed", readme, b.line, path,
					started(all, file))
			default:
				errorf("%s:%d: the block is not in %s as it is: "+
					"make them the same", readme, b.line, path)
			}
		}
	}
}

// block is a ```go block of a README: its first line, the lines after
// it, and the line it starts on.
type block struct {
	first, body string
	line        int
}

func goBlocks(tb testing.TB, readme string) []block {
	tb.Helper()
	text, err := os.ReadFile(readme)
	if err != nil {
		tb.Fatal(err)
	}
	return blocksIn(strings.Split(string(text), "\n"))
}

// blocksIn returns the ```go blocks of a README's lines.
func blocksIn(lines []string) []block {
	var blocks []block
	var cur *block
	for i, line := range lines {
		switch {
		case cur == nil && line == "```go":
			cur = &block{line: i + 1}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil && cur.first == "":
			cur.first = line
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	return blocks
}

// testName is a test, benchmark or fuzz test named in a README.
var testName = regexp.MustCompile(`\b(?:Test|Benchmark|Fuzz)[A-Z]\w*`)

// TestREADMETestsExist fails when a chapter's README names a test that
// the chapter does not have: a step of the walk or an exercise that says
// "run TestX" must send the learner to a test that is there.
func TestREADMETestsExist(t *testing.T) {
	for _, c := range chapters(t, root) {
		var code []byte
		for _, data := range c.tests {
			code = append(code, data...)
		}
		for _, name := range testName.FindAllString(c.readme, -1) {
			if !bytes.Contains(code, []byte("\nfunc "+name+"(")) {
				t.Errorf("%s/README.md names %s, which the chapter's tests "+
					"do not have", c.name, name)
			}
		}
	}
}
