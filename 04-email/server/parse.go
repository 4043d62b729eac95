package main

import (
	"bufio"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
)

// Everything here reads what the client sent: each line is bounded, and
// nothing in it is trusted until it has been checked.

// maxLine is the longest command line RFC 5321 allows, CRLF included.
const maxLine = 1000

var errLineTooLong = errors.New("line too long")

// readLine reads one line of at most maxLine bytes, CRLF included, and
// returns it without its line ending. RFC 5321 says CRLF, but a bare LF is
// accepted too, as most servers do. A longer line is read to its end and
// dropped, and readLine returns errLineTooLong: memory stays bounded, and
// the client can go on.
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
		// net/mail knows what an address may hold. Comments, quoted
		// names and the like are refused: the envelope wants a bare
		// address.
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr {
			return "", 0, fmt.Errorf("<%s> is not an address like "+
				"<name@example.com>", addr)
		}
		// Addresses in other scripts need the SMTPUTF8 extension,
		// which this server does not offer (RFC 6531).
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
