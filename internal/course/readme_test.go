package course

import (
	"bufio"
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
	readmes, err := filepath.Glob(filepath.Join("..", "..", "*", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readmes = append(readmes, filepath.Join("..", "..", "README.md"))
	for _, readme := range readmes {
		for _, b := range goBlocks(t, readme) {
			path, ok := strings.CutPrefix(b.first, "// ")
			if !ok || !strings.HasSuffix(path, ".go") {
				t.Errorf("%s:%d: a go block starts with %q, want // PATH.go",
					readme, b.line, b.first)
				continue
			}
			code, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(path)))
			if err != nil {
				t.Errorf("%s:%d: %v", readme, b.line, err)
				continue
			}
			if !bytes.Contains(code, []byte(b.body)) {
				t.Errorf("%s:%d: the block is not in %s as it is: "+
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
	f, err := os.Open(readme)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var blocks []block
	var cur *block
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && line == "```go":
			cur = &block{line: n}
		case cur != nil && line == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil && cur.first == "":
			cur.first = line
		case cur != nil:
			cur.body += line + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return blocks
}

// testName is a test, benchmark or fuzz test named in a README.
var testName = regexp.MustCompile(`\b(?:Test|Benchmark|Fuzz)[A-Z]\w*`)

// TestREADMETestsExist fails when a chapter's README names a test that
// the chapter does not have: a step of the walk or an exercise that says
// "run TestX" must send the learner to a test that is there.
func TestREADMETestsExist(t *testing.T) {
	for _, c := range chapters(t) {
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
