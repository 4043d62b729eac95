package main

import (
	"bytes"
	"errors"
	"net"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// badUsage are flags that TestBadInput checks are refused as bad usage,
// with want in the message on stderr.
var badUsage = []struct {
	name  string
	flags []string
	want  string
}{
	{"a line break in the subject", []string{"-to", "a@example.com",
		"-subject", "Hi\r\nBcc: everyone@example.com"}, "line break"},
	// An address with a line break is refused by this check and
	// by net/mail alike: the message names the value either way.
	{"a line break in a name", []string{"-to", "Eve\n <a@example.com>"},
		`-to "Eve\n <a@example.com>"`},
	{"a line break in -from", []string{"-to", "a@example.com",
		"-from", "x@example.com\nBcc: y@example.com"},
		`-from "x@example.com\nBcc: y@example.com"`},
	{"a subject over 900 bytes", []string{"-to", "a@example.com",
		"-subject", strings.Repeat("x", 901)}, "too long"},
	{"an address net/mail cannot parse", []string{"-to", "not an address"},
		`-to "not an address"`},
	{"no recipients", []string{"-subject", "hi"}, "no recipients"},
	{"an address that is not ASCII", []string{"-to", "骆昊@例子.中国"},
		"is not ASCII"},
	{"-body and -body-file together", []string{"-to", "a@example.com",
		"-body", "x", "-body-file", "y"}, "not both"},
	{"a bad -tls", []string{"-to", "a@example.com", "-tls", "ssl"}, "-tls must be"},
	{"-user without SMTP_PASSWORD", []string{"-to", "a@example.com",
		"-user", "me"}, "SMTP_PASSWORD"},
}

func TestBadInput(t *testing.T) {
	// A listener that fails the test if anything connects: bad input
	// must be refused before a byte goes on the wire.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if conn, err := ln.Accept(); err == nil {
			_ = conn.Close()
			t.Error("the client connected in spite of bad input")
		}
	}()
	addr := ln.Addr().String()

	for _, tc := range badUsage {
		t.Run(tc.name+" is refused as bad usage", func(t *testing.T) {
			_, stderr, err := runClient(t, addr, nil, tc.flags...)
			if !errors.Is(err, errUsage) {
				// The test's listener hangs up on a client that
				// connects: its error then is about the greeting.
				t.Fatalf("not refused as bad usage: the client went on to send, and ended with %q", err)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not contain %q", stderr, tc.want)
			}
		})
	}

	t.Run("a missing attachment is an error before connecting", func(t *testing.T) {
		_, _, err := runClient(t, addr, nil, "-to", "a@example.com",
			"-attach", filepath.Join(t.TempDir(), "nope.xlsx"))
		if err == nil || !strings.Contains(err.Error(), "-attach") {
			t.Errorf("got %v, want an -attach error", err)
		}
	})
}

func FuzzCheckHeaderValue(f *testing.F) {
	for _, seed := range []string{"Hello", "示例", "a\r\nBcc: x", "tab\there", "\x00",
		"=?utf-8?b?DQo=?="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if checkHeaderValue(v) != nil {
			return
		}
		// An accepted value, put in a header, is one line.
		if strings.ContainsAny(v, "\r\n") {
			t.Errorf("accepted %q, which holds a line break", v)
		}
		m, err := (&flags{from: "a@example.com", to: []string{"b@example.com"},
			subject: v}).message()
		if err != nil {
			return // the subject is fine; nothing else is tested here
		}
		var buf bytes.Buffer
		if err := writeMessage(&buf, m, time.Now()); err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatalf("subject %q: the message does not parse: %v", v, err)
		}
		if len(msg.Header) != 8 {
			t.Errorf("subject %q: got %d headers, want 8", v, len(msg.Header))
		}
	})
}
