package course

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// An evening per chapter: what a reader reads before the exercises.
const (
	firstLessonWords = 3500 // in 01's lesson
	lessonWords      = 4500 // in each other chapter's
	firstRunLine     = 150  // the full programs run by this line
	stepWords        = 250  // of prose in one step of the walk
	tutorialLines    = 30   // of a tutorial program quoted in one block
)

// The parts of a chapter README, in order: the lesson (everything
// before "Going further"), then what a reader may skip on a first pass,
// then what is looked up.
const (
	furtherHeading = "## Going further"
	refHeading     = "## Reference"
	walkHeading    = "## From the tutorial's program to this one"
)

// TestLessonFitsAnEvening keeps each chapter's lesson short enough to
// read in an evening: the three parts in order, the lesson's words (as
// wc -w counts them, code included), the line where the full programs
// first run, the prose of each step of the walk, and the tutorial's
// programs linked rather than repeated whole.
func TestLessonFitsAnEvening(t *testing.T) {
	for _, c := range chapters(t, root) {
		for _, problem := range lessonProblems(c) {
			t.Errorf("%s/README.md: %s", c.name, problem)
		}
	}
}

// lessonProblems returns what keeps the chapter's README from the shape
// TestLessonFitsAnEvening asks for, one sentence each.
func lessonProblems(c chapter) []string {
	var problems []string
	lines := strings.Split(c.readme, "\n")
	further, ref := heading(lines, furtherHeading), heading(lines, refHeading)
	if further < 0 || ref < further {
		return []string{fmt.Sprintf("want a %q heading, then a %q heading "+
			"after it", furtherHeading, refHeading)}
	}
	if walk := heading(lines, walkHeading); walk < 0 || walk > further ||
		strings.Count(c.readme, "\n"+walkHeading+"\n") > 1 {
		problems = append(problems, fmt.Sprintf("want one %q heading, "+
			"before %q", walkHeading, furtherHeading))
	}
	for _, name := range []string{"Try it", "Copy it into your coursework", "Exercises"} {
		if at := headingNamed(lines, name); at < 0 || at > further {
			problems = append(problems, fmt.Sprintf("want a %q heading "+
				"in the lesson, before %q", name, furtherHeading))
		}
	}
	for _, name := range []string{"Files", "Flags and environment", "Benchmarks"} {
		if at := headingNamed(lines, name); at >= 0 && at < ref {
			problems = append(problems, fmt.Sprintf("%q is on line %d, "+
				"want it under %q", name, at+1, refHeading))
		}
	}
	most := lessonWords
	if strings.HasPrefix(c.name, "01-") {
		most = firstLessonWords
	}
	if n := len(strings.Fields(strings.Join(lines[:further], "\n"))); n > most {
		problems = append(problems, fmt.Sprintf("the lesson (before %q) "+
			"is %d words, want %d at most", furtherHeading, n, most))
	}
	if at := firstRun(lines, c.name); at < 0 || at >= firstRunLine {
		problems = append(problems, fmt.Sprintf("the full programs first "+
			"run on line %d, want it by line %d", at+1, firstRunLine))
	}
	for _, s := range walkSteps(lines[:further]) {
		if s.words > stepWords {
			problems = append(problems, fmt.Sprintf("the walk's step %q "+
				"is %d words of prose, want %d at most", s.title, s.words,
				stepWords))
		}
	}
	for _, b := range blocksIn(lines) {
		n := strings.Count(b.body, "\n")
		if strings.Contains(b.first, "/tutorial/") && n > tutorialLines {
			problems = append(problems, fmt.Sprintf("line %d quotes %d "+
				"lines of a tutorial program, want %d at most: link to it",
				b.line, n, tutorialLines))
		}
	}
	return problems
}

// outside reports, for each line, whether it is outside a fenced block
// (the fences themselves are inside).
func outside(lines []string) []bool {
	out := make([]bool, len(lines))
	in := false
	for i, line := range lines {
		if strings.HasPrefix(line, "```") {
			in = !in
			continue
		}
		out[i] = !in
	}
	return out
}

// heading returns the index of the line that is exactly h, outside
// fenced blocks, or -1.
func heading(lines []string, h string) int {
	out := outside(lines)
	for i, line := range lines {
		if out[i] && line == h {
			return i
		}
	}
	return -1
}

// headingNamed returns the index of the first heading of any level whose
// title is name, or -1.
func headingNamed(lines []string, name string) int {
	out := outside(lines)
	for i, line := range lines {
		if out[i] && strings.HasPrefix(line, "#") &&
			strings.TrimLeft(line, "# ") == name {
			return i
		}
	}
	return -1
}

// firstRun returns the index of the first line, outside a go block, that
// runs or builds the chapter's full server or client, or -1.
func firstRun(lines []string, chapter string) int {
	run := regexp.MustCompile(`go (run|build)\b.* \./` +
		regexp.QuoteMeta(chapter) + `/(server|client)\b`)
	inGo := false
	for i, line := range lines {
		switch {
		case line == "```go":
			inGo = true
		case inGo && line == "```":
			inGo = false
		case !inGo && run.MatchString(line):
			return i
		}
	}
	return -1
}

// step is a step of the walk: its title and the words of its prose.
type step struct {
	title string
	words int
}

// walkSteps returns the steps of the walk: each ### section under the
// walk's heading, its prose counted without its fenced blocks. A walk
// with no ### sections is one step.
func walkSteps(lines []string) []step {
	start := heading(lines, walkHeading)
	if start < 0 {
		return nil
	}
	out := outside(lines)
	steps := []step{{title: strings.TrimPrefix(walkHeading, "## ")}}
	for i := start + 1; i < len(lines); i++ {
		line := lines[i]
		switch {
		case !out[i]:
		case strings.HasPrefix(line, "## "):
			return steps
		case strings.HasPrefix(line, "### "):
			steps = append(steps, step{title: strings.TrimPrefix(line, "### ")})
		default:
			steps[len(steps)-1].words += len(strings.Fields(line))
		}
	}
	return steps
}

// TestLessonProblemsSeesTheShape checks the checker on a README made to
// pass and on one made to fail each way.
func TestLessonProblemsSeesTheShape(t *testing.T) {
	good := strings.Join([]string{
		"# 09 · x", "",
		"```", "go run ./09-x/server", "```",
		walkHeading, "intro words", "### 1. A step", "a few words",
		"```go", "// 09-x/tutorial/server/main.go", "package main", "```",
		"## Try it", "## Copy it into your coursework",
		"## Exercises", furtherHeading, "more", refHeading, "### Files",
		"### Benchmarks",
	}, "\n")
	if p := lessonProblems(chapter{name: "09-x", readme: good}); len(p) > 0 {
		t.Errorf("a README in shape: %q, want no problem", p)
	}
	long := strings.Repeat("word ", stepWords+1)
	for name, readme := range map[string]string{
		"no Going further": strings.Replace(good, furtherHeading, "## Later", 1),
		"Reference first": strings.Replace(strings.Replace(good, refHeading,
			"## Tmp", 1), "## Exercises", refHeading, 1),
		"Files in the lesson": strings.Replace(good, "## Exercises",
			"## Files", 1),
		"a long lesson": strings.Replace(good, "intro words",
			strings.Repeat("word ", lessonWords), 1),
		"no run": strings.Replace(good, "go run ./09-x/server",
			"go run ./09-x/tutorial/server", 1),
		"a late run": strings.Replace(good, "# 09 · x",
			"# 09 · x"+strings.Repeat("\n", firstRunLine), 1),
		"no walk": strings.Replace(good, walkHeading, "## Steps", 1),
		"exercises after Going further": strings.Replace(strings.Replace(good,
			"## Exercises\n", "", 1), "more\n", "more\n## Exercises\n", 1),
		"two walks": strings.Replace(good, "### Files",
			walkHeading+"\n### Files", 1),
		"a long step":  strings.Replace(good, "a few words", long, 1),
		"a long intro": strings.Replace(good, "intro words", long, 1),
		"the whole tutorial": strings.Replace(good, "package main",
			"package main"+strings.Repeat("\n//", tutorialLines), 1),
	} {
		if p := lessonProblems(chapter{name: "09-x", readme: readme}); len(p) == 0 {
			t.Errorf("%s: no problem found, want one", name)
		}
	}
}
