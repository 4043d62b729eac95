package loopback

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// Process is a program of the course built and running in a process of
// its own, for end-to-end tests: a client's test can run its chapter's
// server, which is another main package and cannot be imported.
type Process struct {
	Addr  string      // the address from its "listening on" line
	lines chan string // its stdout, line by line
}

// BuildAndRun builds the main package in dir (such as "../server"), runs
// it with args and with env added to the test's environment ("NAME=value"),
// and waits until it prints its listening line. The process is killed
// when the test ends. Without a go command to build with, the test is
// skipped.
func BuildAndRun(tb testing.TB, dir string, args []string, env ...string) *Process {
	tb.Helper()
	cmd := exec.Command(Build(tb, dir), args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}

	p := &Process{lines: make(chan string, 100)}
	addr := make(chan string, 1)
	drained := make(chan struct{}, 2)
	go func() {
		defer func() { drained <- struct{}{} }()
		findListening(stderr, addr)
	}()
	go func() {
		defer func() { drained <- struct{}{} }()
		p.collect(stdout)
	}()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill() // ends it, if it has not ended
		<-drained              // Wait must come after the last read
		<-drained
		_ = cmd.Wait() // reaps it; its status is not the question
	})

	select {
	case p.Addr = <-addr:
	case <-time.After(StartTimeout):
		tb.Fatalf("%s printed no listening line within %v", dir, StartTimeout)
	}
	return p
}

// Build builds the main package in dir into the test's temporary folder
// and returns the program's path, for a test to run as it likes (a client
// with exec.Command, say). Without a go command to build with, the test
// is skipped; a package that does not build fails the test.
func Build(tb testing.TB, dir string) string {
	tb.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		tb.Skip("no go command on PATH to build " + dir + " with")
	}
	bin := filepath.Join(tb.TempDir(), "program")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command(goTool, "build", "-o", bin, dir).CombinedOutput()
	if err != nil {
		tb.Fatalf("build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// findListening reads a program's stderr, sends the address of its
// listening line on addr, and reads the rest of it to the end.
func findListening(stderr io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		// listening wants the whole line, line ending included.
		if m := listening.FindStringSubmatch(sc.Text() + "\n"); m != nil {
			addr <- m[1]
			break
		}
	}
	_, _ = io.Copy(io.Discard, stderr) // the rest of the log
}

// collect passes a program's stdout to NextLine, line by line.
func (p *Process) collect(stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		select {
		case p.lines <- sc.Text():
		default: // nobody reads that far: drop it
		}
	}
}

// NextLine returns the next line the program prints to stdout, waiting at
// most StartTimeout; the test fails if none comes.
func (p *Process) NextLine(tb testing.TB) string {
	tb.Helper()
	select {
	case line := <-p.lines:
		return line
	case <-time.After(StartTimeout):
		tb.Fatalf("the program printed no line within %v", StartTimeout)
		return ""
	}
}

// RunTimeout bounds how long Run waits for a program to end.
var RunTimeout = 10 * time.Second

// Run runs the program at path (built with Build) with args until it
// ends, and returns what it printed and how it ended. A program that has
// not ended within RunTimeout is killed, and the test fails.
func Run(tb testing.TB, path string, args ...string) (stdout, stderr string, err error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ctx.Err() != nil {
		tb.Fatalf("%s %q did not end within %v; stderr %q",
			path, args, RunTimeout, errOut.String())
	}
	return out.String(), errOut.String(), err
}
