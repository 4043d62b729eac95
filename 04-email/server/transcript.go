package main

import (
	"slices"
	"strings"
)

// -v shows what crosses each connection (tap.go), but for two things the
// session knows of and hides: the credentials, since base64 is an
// encoding and the line AUTH PLAIN sends is the password; and the
// message, shown as its size, which a 50 MiB attachment would make
// 700,000 lines of base64.

// readCommand reads a command line. If it may hold credentials, or what
// came with it may (mayBeSecret), -v shows them as their size.
func (s *session) readCommand() (string, error) {
	line, err := s.nextLine()
	ahead, _ := s.r.Peek(s.r.Buffered())
	if mayBeSecret(line) || mayBeSecret(string(ahead)) ||
		len(ahead) > 0 && strings.EqualFold(line, "DATA") {
		hide(s.conn, true)
		hide(s.conn, false)
	}
	return line, err
}

// readSecret reads a line that answers a question of AUTH: -v shows it as
// its size.
func (s *session) readSecret() (string, error) {
	line, err := s.nextLine()
	hide(s.conn, true)
	hide(s.conn, false)
	return line, err
}

// mayBeSecret reports whether a line of text, or a piece of one, may hold
// credentials: an AUTH line with more than a mechanism, whose name is
// capitals, digits, - and _, 20 at most (RFC 4422 3.1); or one word of
// base64 that is no command. A client that pipelines AUTH LOGIN sends
// its answers without waiting for the 334s that ask for them: if the
// AUTH is refused, they come as commands.
func mayBeSecret(text string) bool {
	for line := range strings.Lines(text) {
		f := strings.Fields(line)
		switch {
		case len(f) == 1 && strings.Trim(f[0], base64Chars) == "" &&
			!slices.Contains(strings.Fields(commands), strings.ToUpper(f[0])),
			len(f) > 1 && strings.EqualFold(f[0], "AUTH") &&
				(len(f) > 2 || !saslName(f[1])):
			return true
		}
	}
	return false
}

const base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" +
	"abcdefghijklmnopqrstuvwxyz0123456789+/="

func saslName(s string) bool {
	return len(s) <= 20 && strings.Trim(s,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == ""
}
