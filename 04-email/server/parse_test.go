package main

import (
	"bufio"
	"errors"
	"strings"
	"testing"
	"unicode"
)

func FuzzParseCommand(f *testing.F) {
	for _, line := range []string{
		"EHLO client.example",
		"mail FROM:<a@example.com> SIZE=123",
		"MAIL FROM: <a@example.com> BODY=8BITMIME",
		"MAIL FROM:<>",
		"RCPT TO:<b@example.com>",
		`RCPT TO:<"b c"@example.com>`,
		"RCPT TO:<a@b.example> SIZE=-1",
		"MAIL FROM:<a@example.com>\rBcc: c@example.com",
		"AUTH PLAIN AGFsaWNlAHNlY3JldA==",
		"",
	} {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		verb, arg, err := parseCommand(line)
		if err != nil {
			return
		}
		if strings.ContainsFunc(verb+arg, unicode.IsControl) {
			t.Errorf("parseCommand(%q) let a control character through", line)
		}
		if strings.Contains(verb, " ") || arg != strings.TrimSpace(arg) {
			t.Errorf("parseCommand(%q) = %q, %q: spaces left in", line, verb, arg)
		}
		for _, keyword := range []string{"FROM", "TO"} {
			addr, size, err := parsePath(arg, keyword)
			if err != nil {
				continue
			}
			if size < 0 {
				t.Errorf("parsePath(%q) gave size %d", arg, size)
			}
			if strings.ContainsAny(addr, "<>") {
				t.Errorf("parsePath(%q) gave address %q", arg, addr)
			}
			// What goes into Return-Path parses back the same.
			again, _, err := parsePath(keyword+":<"+addr+">", keyword)
			if err != nil || again != addr {
				t.Errorf("parsePath(%q) gave %q, which parses back as %q, %v",
					arg, addr, again, err)
			}
		}
	})
}

func TestReadLineLengths(t *testing.T) {
	// Command lines too come in pieces when they are longer than the
	// reader's buffer, here 16 bytes: the line is whole, or too long and
	// dropped, and the next one is read as it came either way.
	for _, end := range []string{"\r\n", "\n"} {
		for n := 0; n <= maxLine+40; n++ {
			line := strings.Repeat("x", n)
			r := bufio.NewReaderSize(strings.NewReader(line+end+"NEXT\r\n"), 16)
			got, err := readLine(r)
			if n+len(end) <= maxLine && (err != nil || got != line) {
				t.Fatalf("a line of %d bytes and %q: got %.40q..., %v; want it back",
					n, end, got, err)
			}
			if n+len(end) > maxLine && !errors.Is(err, errLineTooLong) {
				t.Fatalf("a line of %d bytes and %q: got %v, want errLineTooLong",
					n, end, err)
			}
			if next, err := readLine(r); next != "NEXT" || err != nil {
				t.Fatalf("after a line of %d bytes and %q: got %q, %v; want NEXT",
					n, end, next, err)
			}
		}
	}
}
