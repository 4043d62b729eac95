package main

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"netprog/internal/loopback"
)

// wantLines checks that got holds each of want, in this order. A want
// that starts or ends with a line end matches the start or the end of a
// line.
func wantLines(tb testing.TB, got string, want ...string) {
	tb.Helper()
	rest := "\n" + got
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			tb.Errorf("-v did not print %s (after the lines before it); "+
				"it printed:\n%s", shown(strings.Trim(w, "\n")), asLines(got))
			return
		}
		// The next want may start with the line end this one ends with.
		rest = rest[i+len(strings.TrimSuffix(w, "\n")):]
	}
}

// datagram sends msg to addr over UDP and returns the datagram that
// comes back, and the address it was sent from.
func datagram(t *testing.T, addr, msg string) (reply, from string) {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1024)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("no reply datagram: %v", err)
	}
	return string(buf[:n]), conn.LocalAddr().String()
}

// logLine matches a line of the server's log, which starts with the date
// and time.
var logLine = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)

func TestServerShowsTheConversation(t *testing.T) {
	t.Run("-v shows what each client was sent, and the close", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-v"}, nil)
		conn, err := net.Dial("tcp", p.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
		reply, err := io.ReadAll(conn)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
		peer := conn.LocalAddr().String()
		wantLines(t, p.Stderr(),
			"\n"+peer+" * connected to "+p.Addr+" from "+peer+"\n",
			" "+peer+" connected\n", // the log's line
			"\n"+peer+fmt.Sprintf(" S: %q\n", reply),
			"\n"+peer+" * the server closed the connection (C: 0 bytes, S: 28 bytes)\n")
	})

	t.Run("-v over UDP shows both datagrams", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-udp", "-v"}, nil)
		reply, peer := datagram(t, p.Addr, "what time is it?\n")
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
		wantLines(t, p.Stderr(), "\n"+peer+` C: "what time is it?\n"`+"\n",
			"\n"+peer+fmt.Sprintf(" S: %q\n", reply))
	})

	t.Run("-v quotes what a UDP client sent", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-udp", "-v"}, nil)
		_, peer := datagram(t, p.Addr, "\x1b[2J\x1b[1mgotcha\r\nline two\x9b")
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
		wantLines(t, p.Stderr(), peer+` C: "\x1b[2J\x1b[1mgotcha\r\nline two\x9b"`+"\n")
		for _, c := range []string{"\x1b", "\x9b", "\r"} {
			if strings.Contains(p.Stderr(), c) {
				t.Errorf("got %q, want no %q printed as it is", p.Stderr(), c)
			}
		}
	})

	t.Run("-v prints each line whole, with 50 clients at once",
		testWireLinesWhole)
}

// testWireLinesWhole checks that the lines -v writes for 50 clients at
// once never mix: each is a log line or a whole line of the wire.
func testWireLinesWhole(t *testing.T) {
	p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-v"}, nil)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := askTime(p.Addr); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	wire := regexp.MustCompile(`^127\.0\.0\.1:\d+ (S: "\d{4}-\d\d-\d\d ` +
		`\d\d:\d\d:\d\d\.\d{6}\\r\\n"|` +
		`\* connected to 127\.0\.0\.1:\d+ from 127\.0\.0\.1:\d+|` +
		`\* the server closed the connection \(C: 0 bytes, S: 28 bytes\))$`)
	lines := strings.Split(strings.TrimSuffix(p.Stderr(), "\n"), "\n")
	sent := 0
	for _, line := range lines {
		if !logLine.MatchString(line) && !wire.MatchString(line) {
			t.Errorf("got line %q, want a log line or a whole -v line", line)
		}
		if strings.Contains(line, ` S: "`) {
			sent++
		}
	}
	if sent != 50 {
		t.Errorf("got %d S: lines, want 50", sent)
	}
}

func TestServerIsQuietWithoutV(t *testing.T) {
	p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-udp"}, nil)
	wantTime(t, p.Addr)
	datagram(t, p.Addr, "what time is it?")
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(p.Stderr(), "\n"), "\n") {
		if !logLine.MatchString(line) {
			t.Errorf("got line %q, want only the log's lines, as before -v", line)
		}
	}
}
