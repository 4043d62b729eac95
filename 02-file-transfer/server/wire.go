// This file is the same in every program of chapter 02:
// 02-file-transfer/client and 02-file-transfer/server. A test keeps the
// copies identical.

package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// wire prints a conversation as it happens, for -v: a line for each line
// that crosses the network, marked with who sent it, "C:" the client and
// "S:" the server, as the RFCs' examples of a conversation do (RFC 5321,
// appendix D; smtplib's set_debuglevel(1) and curl -v show the same with
// other marks), and "*" for what the program notes about the connection
// itself. Text
// goes through quoteLine, so nothing from the network drives the
// terminal, and each line is printed whole: lines of two connections
// never mix.
//
// A nil *wire prints nothing, so a program calls it the same way whether
// -v is on or not.
type wire struct {
	mu     *sync.Mutex // shared by every wire of one program
	w      io.Writer
	prefix string // before every line: on a server, the client's address
}

// newWire returns a wire that prints to w, or nil when verbose is false.
func newWire(w io.Writer, verbose bool) *wire {
	if !verbose {
		return nil
	}
	return &wire{mu: new(sync.Mutex), w: w}
}

// maxLines bounds how many lines one call of line prints: a body of
// 64 KiB of line ends must not print 65,536 lines.
const maxLines = 100

// line prints what who ("C:" or "S:") sent: text, a line or several, each
// printed as a line of its own and all of them together, at most
// maxLines of them.
func (l *wire) line(who, text string) {
	if l == nil {
		return
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) > maxLines {
		more := fmt.Sprintf("<%d more lines>", len(lines)-maxLines+1)
		lines = append(lines[:maxLines-1], more)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range lines {
		// -v is best effort: a failed write to stderr changes nothing.
		_, _ = fmt.Fprintf(l.w, "%s%s %s\n", l.prefix, who,
			quoteLine(strings.TrimSuffix(s, "\r")))
	}
}

// note prints a line about the connection itself, marked "*": that it
// opened or closed, what TLS it uses, how many bytes went by. Text in it
// that came from the network must be quoted by the caller.
func (l *wire) note(format string, args ...any) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = fmt.Fprintf(l.w, "%s* %s\n", l.prefix, fmt.Sprintf(format, args...)) // best effort
}

// Much of what -v shows is JSON or HTTP, full of quote marks, which quote
// escapes: {"code":2} would read "{\"code\":2}". quoteLine keeps the
// quote marks and backslashes of a line that does not start with one, so
// the line reads as it was sent. A line that starts with a quote mark, or
// holds anything else quote escapes, is in Go's quoted form: it always
// starts with a quote mark, so the two cannot be confused.

// quoteLine is quote, except that quote marks and backslashes stay as
// they are in a line that does not start with a quote mark.
func quoteLine(s string) string {
	if strings.HasPrefix(s, `"`) || !utf8.ValidString(s) ||
		strings.ContainsFunc(s, func(r rune) bool {
			return !strconv.IsPrint(r) || filler(r)
		}) {
		return quote(s)
	}
	if len(s) <= maxShown {
		return s
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut-- // do not split a character
	}
	return fmt.Sprintf("%s... (%d more bytes)", s[:cut], len(s)-cut)
}
