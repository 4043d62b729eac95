// This file is the same in every program: 01-tcp-time/client,
// 01-tcp-time/server, 02-file-transfer/client, 02-file-transfer/server,
// 03-image-download/client, 03-image-download/server, 04-email/client,
// 04-email/server, 05-sms/client and 05-sms/server. A test keeps the
// copies identical.

package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxShown is how many bytes of one piece of network text quote shows.
const maxShown = 200

// quote makes text that came from the network safe to print. Text that
// is valid UTF-8 and only visible characters and spaces is shown as it
// is; anything else is shown in Go's quoted form, "like\tthis", where
// control characters, invalid bytes and invisible characters (such as
// U+202E, which turns the text after it around) are escapes. Terminal
// escape sequences start with a control character, so a peer cannot
// clear the screen or fake a line of output. Text longer than maxShown
// bytes is cut, and says how much was left out.
func quote(s string) string {
	rest := 0
	if len(s) > maxShown {
		cut := maxShown
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut-- // do not split a character
		}
		s, rest = s[:cut], len(s)-cut
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, unsafeRune) {
		s = strconv.Quote(s)
	}
	if rest > 0 {
		s += fmt.Sprintf("... (%d more bytes)", rest)
	}
	return s
}

// unsafeRune reports the characters quote escapes. A quote mark or a
// backslash is escaped too, so text that starts with a quote mark is
// always in the quoted form, never text that only looks like it.
func unsafeRune(r rune) bool {
	return !strconv.IsPrint(r) || r == '"' || r == '\\'
}
