package main

// The tests of the README's build-it exercises: each waits, skipped,
// until you start the exercise by deleting its first line.

import (
	"bytes"
	"strings"
	"testing"
	"testing/synctest"
)

func TestRelayOnlyToItsDomain(t *testing.T) {
	t.Skip("exercise 13: -domain: take mail for one domain only, unless logged in — delete this line to start")
	var usage bytes.Buffer
	_, err := parseFlags([]string{"-domain", "example.com"},
		func(string) string { return "" }, &usage)
	if err != nil {
		first, _, _ := strings.Cut(usage.String(), "\n")
		t.Fatalf("-domain example.com: got %v, %q: add the flag -domain "+
			"to parseFlags", err, first)
	}
	// An MX takes mail for its own domain only; one that takes any is
	// an "open relay", which spammers look for (RFC 5321 3.6).
	tests := []struct {
		name  string
		args  []string
		steps []step
	}{
		{"a recipient elsewhere gets 550, one at the domain 250",
			[]string{"-domain", "example.com"}, []step{
				{"EHLO test", "250-"},
				{"MAIL FROM:<a@elsewhere.example>", "250 "}, // any sender
				{"RCPT TO:<b@example.com>", "250 "},
				{"RCPT TO:<c@EXAMPLE.com>", "250 "}, // domains ignore case
				{"RCPT TO:<d@elsewhere.example>", "550 "},
				{"RCPT TO:<e@notexample.com>", "550 "},
				{"RCPT TO:<f@example.com.elsewhere.example>", "550 "},
			}},
		{"a client logged in with AUTH may send anywhere",
			[]string{"-domain", "example.com", "-user", "alice"}, []step{
				{"EHLO test", "250-"},
				{"AUTH PLAIN " + b64("\x00alice\x00secret"), "235 "},
				{"MAIL FROM:<alice@example.com>", "250 "},
				{"RCPT TO:<d@elsewhere.example>", "250 "},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := startSink(t, tt.args...)
				s.dial(t).play(s.dir, tt.steps...)
			})
		})
	}
}
