// This file is the same in 02-file-transfer/client and
// 02-file-transfer/server. A test keeps the copies identical.

package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// What -v shows of a file transfer is JSON, full of quote marks, which
// quote escapes: {"filename":"a.png"} would read "{\"filename\":\"a.png\"}".
// showLine prints a line of the conversation as wire's line does, but
// keeps the quote marks and backslashes of a line that does not start
// with one, so the header reads as it was sent. A line that starts with a
// quote mark, or holds anything else quote escapes, is in Go's quoted
// form: it always starts with a quote mark, so the two cannot be
// confused.

// showLine prints text, one line or several, that who ("C:" or "S:")
// sent, each line through quoteLine, all of them together.
func showLine(l *wire, who, text string) {
	if l == nil {
		return
	}
	if !strings.ContainsAny(text, `"\`) {
		l.line(who, text) // quote and quoteLine show it alike
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		// -v is best effort: a failed write to stderr changes nothing.
		_, _ = fmt.Fprintf(l.w, "%s%s %s\n", l.prefix, who,
			quoteLine(strings.TrimSuffix(s, "\r")))
	}
}

// quoteLine is quote, except that quote marks and backslashes stay as
// they are in a line that does not start with a quote mark.
func quoteLine(s string) string {
	if strings.HasPrefix(s, `"`) || !utf8.ValidString(s) ||
		strings.ContainsFunc(s, func(r rune) bool { return !strconv.IsPrint(r) }) {
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
