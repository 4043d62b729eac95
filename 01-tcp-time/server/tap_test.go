// Tests of tap.go, the same file in 01-tcp-time/client, 01-tcp-time/server,
// 02-file-transfer/client, 02-file-transfer/server, 04-email/client and
// 04-email/server; a test keeps the copies identical.

package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf8"

	"netprog/internal/loopback"
)

// tapPipe returns the two ends of an in-memory connection, the client's
// tapped, printing to the log it returns.
func tapPipe(tb testing.TB) (client net.Conn, server net.Conn, log *loopback.Buffer) {
	tb.Helper()
	log = new(loopback.Buffer)
	client, server = net.Pipe()
	tb.Cleanup(func() { _ = server.Close() }) // a pipe's Close does not fail
	return tapClient(client, tapLogger(log)), server, log
}

func tapLogger(w io.Writer) *log.Logger { return log.New(w, "", 0) }

// tapExchange writes msg on from and reads it whole on to, at once (a
// net.Pipe has no buffer), and returns when both are done.
func tapExchange(tb testing.TB, from, to net.Conn, msg string) {
	tb.Helper()
	written := make(chan error, 1)
	go func() { _, err := io.WriteString(from, msg); written <- err }()
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(to, buf); err != nil || string(buf) != msg {
		tb.Fatalf("read %q, %v: want %q", buf, err, msg)
	}
	if err := <-written; err != nil {
		tb.Fatalf("write %q: %v", msg, err)
	}
}

// tapWant fails unless log is exactly the lines want.
func tapWant(tb testing.TB, log string, want ...string) {
	tb.Helper()
	if strings.TrimSuffix(log, "\n") != strings.Join(want, "\n") {
		tb.Errorf("-v printed other lines than these:\n%s\nit printed:\n%s",
			strings.Join(want, "\n"), asLines(log))
	}
}

// asLines returns out for a failure message, one indented line for each
// of its lines.
func asLines(out string) string {
	var b strings.Builder
	for line := range strings.Lines(out) {
		fmt.Fprintf(&b, "\t%s\n", shown(strings.TrimSuffix(line, "\n")))
	}
	return b.String()
}

// shown returns line as it is if it is printable text, else in Go's
// quoted form: what came from the network cannot drive the terminal.
func shown(line string) string {
	if !utf8.ValidString(line) || strings.ContainsFunc(line,
		func(r rune) bool { return !unicode.IsPrint(r) }) {
		return fmt.Sprintf("%q", line)
	}
	return line
}

func TestTapShowsWhatCrosses(t *testing.T) {
	t.Run("a client's lines, quoted, and who closed", func(t *testing.T) {
		client, server, log := tapPipe(t)
		tapExchange(t, client, server, "EHLO x\r\n")
		tapExchange(t, server, client, "250 \x1b[2J\xff ok\r\n")
		_ = server.Close()
		if _, err := client.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("read after the server closed: got %v, want EOF", err)
		}
		_ = client.Close()
		tapWant(t, log.String(), "* connected to pipe from pipe",
			`C: "EHLO x\r\n"`, `S: "250 \x1b[2J\xff ok\r\n"`,
			"* the server closed the connection (C: 8 bytes, S: 14 bytes)")
	})

	t.Run("what was read shows on one line, when this side writes", func(t *testing.T) {
		client, server, log := tapPipe(t)
		tapExchange(t, server, client, "220 hello\r\n")
		tapExchange(t, server, client, "220 again\r\n")
		tapExchange(t, client, server, "QUIT\r\n")
		_ = client.Close()
		_ = client.Close() // prints nothing more
		tapWant(t, log.String(), "* connected to pipe from pipe",
			`S: "220 hello\r\n220 again\r\n"`, `C: "QUIT\r\n"`,
			"* the client closed the connection (C: 6 bytes, S: 22 bytes)")
	})

	t.Run("more than 200 characters show as 200 and the count", func(t *testing.T) {
		client, server, log := tapPipe(t)
		tapExchange(t, client, server, strings.Repeat("é", 300))
		want := fmt.Sprintf("C: %q (600 bytes)", strings.Repeat("é", 200))
		if !strings.Contains(log.String(), want+"\n") {
			t.Errorf("want the line %s; -v printed:\n%s", want, asLines(log.String()))
		}
	})

	t.Run("a server's lines start with the client's address", testTapListener)
}

// testTapListener checks that tapListener taps each conn it accepts, and
// that the lines of 20 conns at once are each whole.
func testTapListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var log loopback.Buffer
	ln = tapListener(ln, tapLogger(&log))
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed at the end of the test
			}
			_, _ = io.WriteString(conn, "hi\r\n") // the client checks it
			_ = conn.Close()
		}
	}()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err == nil {
				_, err = io.ReadAll(conn)
				_ = conn.Close()
			}
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	_ = ln.Close()
	line := regexp.MustCompile(`^127\.0\.0\.1:\d+ (S: "hi\\r\\n"|` +
		`\* connected to 127\.0\.0\.1:\d+ from 127\.0\.0\.1:\d+|` +
		`\* the server closed the connection \(C: 0 bytes, S: 4 bytes\))$`)
	lines := strings.Split(strings.TrimSuffix(log.String(), "\n"), "\n")
	for _, l := range lines {
		if !line.MatchString(l) {
			t.Errorf("got line %q, want a whole line after the client's address", l)
		}
	}
	if len(lines) != 60 {
		t.Errorf("got %d lines, want 60: 3 for each of 20 clients", len(lines))
	}
}

// tapSecret is a password as it may cross the wire.
const tapSecret = "hunter\t2"

// tapNoSecret fails if log shows tapSecret plain, in base64 or escaped.
func tapNoSecret(tb testing.TB, log string) {
	tb.Helper()
	for _, s := range []string{tapSecret, fmt.Sprintf("%q", tapSecret),
		base64.StdEncoding.EncodeToString([]byte("\x00me\x00" + tapSecret))} {
		if strings.Contains(log, strings.Trim(s, `"`)) {
			tb.Errorf("-v shows the secret as %s:\n%s", s, asLines(log))
		}
	}
}

func TestTapHides(t *testing.T) {
	auth := "AUTH PLAIN " + base64.StdEncoding.EncodeToString(
		[]byte("\x00me\x00"+tapSecret)) + "\r\n"

	t.Run("what is written while hidden shows as its size", func(t *testing.T) {
		client, server, log := tapPipe(t)
		client.(interface{ Hide(bool) }).Hide(true)
		tapExchange(t, client, server, auth)
		echo := "535 " + tapSecret + "\r\n" // a careless server
		tapExchange(t, server, client, echo)
		client.(interface{ Hide(bool) }).Hide(false)
		tapExchange(t, client, server, "QUIT\r\n")
		tapWant(t, log.String(), "* connected to pipe from pipe",
			fmt.Sprintf("C: <%d bytes hidden>", len(auth)),
			fmt.Sprintf("S: <%d bytes hidden>", len(echo)), `C: "QUIT\r\n"`)
		tapNoSecret(t, log.String())
	})

	t.Run("what was read and not shown yet hides too", func(t *testing.T) {
		client, server, log := tapPipe(t)
		tapExchange(t, server, client, auth) // the client here plays a server
		client.(interface{ Hide(bool) }).Hide(true)
		client.(interface{ Hide(bool) }).Hide(false)
		tapExchange(t, client, server, "235 ok\r\n")
		_ = client.Close()
		tapWant(t, log.String(), "* connected to pipe from pipe",
			fmt.Sprintf("S: <%d bytes hidden>", len(auth)), `C: "235 ok\r\n"`,
			fmt.Sprintf("* the client closed the connection "+
				"(C: 8 bytes, S: %d bytes)", len(auth)))
		tapNoSecret(t, log.String())
	})

	t.Run("Flush shows what was read before a hidden write", func(t *testing.T) {
		client, server, log := tapPipe(t)
		tapExchange(t, server, client, "334 UGFzc3dvcmQ6\r\n")
		client.(interface{ Flush() }).Flush()
		client.(interface{ Flush() }).Flush() // prints nothing more
		client.(interface{ Hide(bool) }).Hide(true)
		tapExchange(t, client, server, auth)
		client.(interface{ Hide(bool) }).Hide(false)
		tapWant(t, log.String(), "* connected to pipe from pipe",
			`S: "334 UGFzc3dvcmQ6\r\n"`, fmt.Sprintf("C: <%d bytes hidden>", len(auth)))
		tapNoSecret(t, log.String())
	})
}

func TestTapTLS(t *testing.T) {
	// The tap goes on after the handshake: what it shows is the text
	// inside TLS, not the records on the wire.
	config, pemCert := loopback.TLSConfig(t)
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemCert)
	c, s := net.Pipe()
	defer c.Close()
	defer s.Close()
	server := tls.Server(s, config)
	go func() { _ = server.Handshake() }() // the client's handshake checks it
	client := tls.Client(c, &tls.Config{RootCAs: roots, ServerName: "localhost"})
	if err := client.Handshake(); err != nil {
		t.Fatal(err)
	}
	var log loopback.Buffer
	tapped := tapClient(client, tapLogger(&log))
	tapExchange(t, tapped, server, "EHLO x\r\n")
	want := regexp.MustCompile(`^\* TLS 1\.3, TLS_\w+\nC: "EHLO x\\r\\n"\n$`)
	if !want.MatchString(log.String()) {
		t.Errorf("want what TLS settled on, then the text; -v printed:\n%s",
			asLines(log.String()))
	}
}
