package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// The test of the README's build-it exercise for the client. It starts
// skipped: delete its t.Skip line when you start the exercise, and it
// fails until the exercise is done.

func TestClientOffset(t *testing.T) {
	t.Skip("exercise 9: a -offset flag that says how far the server's clock is off — delete this line to start")
	var stderr bytes.Buffer
	cfg, err := parseFlags([]string{"-offset"}, &stderr)
	if err != nil {
		t.Fatalf("the client has no -offset flag yet: add it in parseFlags "+
			"(client/main.go); the client said %q",
			strings.SplitN(stderr.String(), "\n", 2)[0])
	}
	// Our zone is west of UTC here, whatever the machine's, so that a
	// time read as UTC rather than local time is hours off. (time.Local
	// is the whole program's: no test of this package runs alongside.)
	defer func(local *time.Location) { time.Local = local }(time.Local)
	time.Local = time.FixedZone("UTC-7", -7*60*60)
	// The server's clock is an hour ahead of ours, and the network is
	// slow: the question takes a second to reach the server, the answer
	// a second to come back. The clock is synctest's, so these seconds
	// take no time, and are exact.
	synctest.Test(t, func(t *testing.T) {
		pipe := pipeServer(t, 5*time.Second, func(c net.Conn) {
			time.Sleep(time.Second) // the question on its way
			now := time.Now().Add(time.Hour)
			time.Sleep(time.Second) // the answer on its way
			_, _ = io.WriteString(c, now.Format("2006-01-02 15:04:05.000000")+"\r\n")
		})
		cfg.addr, cfg.dial = pipe.addr, pipe.dial
		var stdout bytes.Buffer
		if err := askTime(context.Background(), cfg, &stdout); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
		text, ok := strings.CutPrefix(lines[len(lines)-1], "offset: ")
		if len(lines) != 2 || !ok {
			t.Fatalf("printed %q, want the time, then a line such as %q",
				stdout.String(), "offset: 1h0m0s")
		}
		got, err := time.ParseDuration(text)
		if err != nil {
			t.Fatalf("printed %q, want a duration after offset: (%v)", text, err)
		}
		if d := got - time.Hour; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("got offset %v, want 1h0m0s: the server sends its local "+
				"time (read it in time.Local), stamped halfway through the "+
				"2s round trip", got)
		}
	})
}
