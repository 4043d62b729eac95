package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Everything here reads what the client sent: each line is bounded,
// nothing in it is trusted until checked, and -v shows as its size what
// may hold credentials (base64 is an encoding, and AUTH PLAIN's line is
// the password).

// maxLine is the longest command line RFC 5321 allows, CRLF included.
const maxLine = 1000

var errLineTooLong = errors.New("line too long")

// readLine reads a line of at most maxLine bytes, CRLF included, and
// returns it without its line ending (CRLF, or LF as most servers take).
// A longer line is read to its end and dropped, and readLine returns
// errLineTooLong: memory stays bounded, and the client can go on.
func readLine(r *bufio.Reader) (string, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		tooLong = tooLong || len(line)+len(chunk) > maxLine
		if !tooLong {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // the line goes on beyond the reader's buffer
		}
		if err != nil {
			return "", err
		}
		if tooLong {
			return "", errLineTooLong
		}
		s := strings.TrimSuffix(string(line), "\n")
		return strings.TrimSuffix(s, "\r"), nil
	}
}

// parseCommand splits a command line into its verb, in capitals, and the
// rest: "mail FROM:<a@b.example>" gives "MAIL" and "FROM:<a@b.example>".
// It refuses control characters: a bare CR in an address could otherwise
// end up in a saved header and start a header of the client's choosing.
func parseCommand(line string) (verb, arg string, err error) {
	if strings.ContainsFunc(line, unicode.IsControl) {
		return "", "", errors.New("control characters are not allowed in commands")
	}
	verb, arg, _ = strings.Cut(line, " ")
	return strings.ToUpper(verb), strings.TrimSpace(arg), nil
}

// parsePath parses the argument of MAIL or RCPT: the keyword FROM or TO, a
// colon, an address in angle brackets, and parameters such as SIZE=12345.
// The address may be empty ("<>", the sender of a bounce). size is 0 if
// the client did not say; other parameters (BODY=8BITMIME) are ignored.
func parsePath(arg, keyword string) (addr string, size int64, err error) {
	usage := fmt.Errorf("syntax: %s:<address>", keyword)
	k, rest, ok := strings.Cut(arg, ":")
	if !ok || !strings.EqualFold(k, keyword) {
		return "", 0, usage
	}
	rest = strings.TrimLeft(rest, " ") // some clients write "FROM: <a@b>"
	if !strings.HasPrefix(rest, "<") {
		return "", 0, usage
	}
	addr, params, ok := strings.Cut(rest[1:], ">")
	if !ok || params != "" && params[0] != ' ' {
		return "", 0, usage
	}
	if addr != "" {
		// A bare address: no comments, quoted names and the like.
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr {
			return "", 0, fmt.Errorf("<%s> is not an address like "+
				"<name@example.com>", addr)
		}
		// Other scripts need SMTPUTF8 (RFC 6531), not offered here.
		if strings.ContainsFunc(addr, func(r rune) bool { return r > 0x7e }) {
			return "", 0, fmt.Errorf("<%s> is not ASCII, and this server "+
				"does not speak SMTPUTF8", addr)
		}
	}
	for _, p := range strings.Fields(params) {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(k, "SIZE") {
			size, err = strconv.ParseInt(v, 10, 64)
			if err != nil || size < 0 {
				return "", 0, fmt.Errorf("SIZE=%s is not a number of bytes", v)
			}
		}
	}
	return addr, size, nil
}

// readCommand reads a command line. If it, or what came with it, may hold
// credentials (mayBeSecret), or a message came with DATA, -v shows them
// as their size.
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
		if len(f) == 1 && strings.Trim(f[0], base64Chars) == "" &&
			!slices.Contains(strings.Fields(commands), strings.ToUpper(f[0])) ||
			len(f) > 1 && strings.EqualFold(f[0], "AUTH") &&
				(len(f) > 2 || !saslName(f[1])) {
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
