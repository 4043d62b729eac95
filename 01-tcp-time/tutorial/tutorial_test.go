// The tutorial's programs, translated line for line, run against the
// chapter's full programs, and the flaws they keep, shown as they are.
package tutorial_test

import (
	"io"
	"net"
	"regexp"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// aTime is a time as Python's str(datetime.now()) writes it.
const aTime = `\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}`

func TestWithTheFullPrograms(t *testing.T) {
	t.Run("the literal client prints the time from the full server", func(t *testing.T) {
		full := loopback.BuildAndRun(t, "../server", []string{"-addr", "127.0.0.1:0"})
		stdout, stderr, err := loopback.Run(t, loopback.Build(t, "./client"), full.Addr)
		if err != nil {
			t.Fatalf("the client failed: %v; stderr %q", err, stderr)
		}
		// The full server ends the line with CRLF; Println adds a line
		// end of its own, as Python's print does.
		if !regexp.MustCompile(`^` + aTime + "\r\n\n$").MatchString(stdout) {
			t.Errorf("got %q, want the time, CRLF and a line end", stdout)
		}
	})

	t.Run("the full client prints the time from the literal server", func(t *testing.T) {
		literal := loopback.BuildAndRun(t, "./server", []string{"127.0.0.1:0"})
		stdout, stderr, err := loopback.Run(t, loopback.Build(t, "../client"),
			"-addr", literal.Addr)
		if err != nil {
			t.Fatalf("the client failed: %v; stderr %q", err, stderr)
		}
		if !regexp.MustCompile(`^` + aTime + "\n$").MatchString(stdout) {
			t.Errorf("got %q, want the time and a line end", stdout)
		}
		if got := literal.NextLine(t); !strings.HasSuffix(got, " Connected to the server.") {
			t.Errorf("the server printed %q, want ADDR Connected to the server.", got)
		}
	})
}

func TestFlaws(t *testing.T) {
	t.Run("given the reply in 3-byte pieces, the literal client prints only the first piece", func(t *testing.T) {
		addr := loopback.Serve(t, func(conn net.Conn) {
			if _, err := io.WriteString(conn, "202"); err != nil {
				t.Errorf("write the first piece: %v", err)
				return
			}
			// The rest comes only after the client has hung up: by
			// then it has printed what its one Read got.
			_, _ = io.Copy(io.Discard, conn) // until EOF or a reset
			_, _ = io.WriteString(conn, "6-11-25 13:09:46.355603")
		})
		stdout, stderr, err := loopback.Run(t, loopback.Build(t, "./client"), addr)
		if err != nil {
			t.Fatalf("the client failed: %v; stderr %q", err, stderr)
		}
		if stdout != "202\n" {
			t.Errorf("got %q, want %q: only the first piece", stdout, "202\n")
		}
	})

	// The tutorial says its first server makes other clients "wait in
	// line" while it serves one. It does serve one at a time, but its
	// reply is a few bytes, which the system takes into the connection's
	// buffer at once: serving a client that never reads takes no longer
	// than serving one that does. One at a time costs something only
	// when serving takes time (chapter 02's files, a slow client).
	t.Run("a client that never reads does not hold the literal server", func(t *testing.T) {
		literal := loopback.BuildAndRun(t, "./server", []string{"127.0.0.1:0"})
		idle, err := net.Dial("tcp", literal.Addr)
		if err != nil {
			t.Fatalf("dial %s: %v", literal.Addr, err)
		}
		defer idle.Close()
		if got := literal.NextLine(t); !strings.HasSuffix(got, " Connected to the server.") {
			t.Fatalf("the server printed %q, want the first client connected", got)
		}
		stdout, stderr, err := loopback.Run(t, loopback.Build(t, "./client"), literal.Addr)
		if err != nil {
			t.Fatalf("the second client failed: %v; stderr %q", err, stderr)
		}
		if !regexp.MustCompile(`^` + aTime + "\n$").MatchString(stdout) {
			t.Errorf("the second client got %q, want the time", stdout)
		}
	})
}
