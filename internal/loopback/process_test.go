package loopback

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
)

func TestBuild(t *testing.T) {
	t.Run("the program it builds runs", func(t *testing.T) {
		cmd := exec.Command(Build(t, "./testdata/hello"), "world")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start the program Build made: %v", err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill() // hello runs until it is killed
			_ = cmd.Wait()         // reaps it; killed is its only end
		})
		// Its first line comes at once, or at its end (EOF) if it fails.
		line, err := bufio.NewReader(stderr).ReadString('\n')
		if !strings.HasPrefix(line, "listening on 127.0.0.1:") {
			t.Errorf("its first line on stderr: got %q (%v), want "+
				"listening on 127.0.0.1:PORT", line, err)
		}
	})

	t.Run("a package that does not build fails the test", func(t *testing.T) {
		ft := &fakeTB{TB: t}
		Build(ft, "./testdata/no-such-program")
		if !strings.Contains(ft.fatal, "build ./testdata/no-such-program") {
			t.Errorf("got failure %q, want it to say what did not build",
				ft.fatal)
		}
	})
}
