// This file is the same in every program of chapters 02, 03 and 05:
// 02-file-transfer/client, 02-file-transfer/server,
// 03-image-download/client, 03-image-download/server, 05-sms/client and
// 05-sms/server. A test keeps the copies identical.

package main

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxShown is how many bytes of one piece of network text quote shows.
const maxShown = 200

// quote makes text that came from the network safe to print. Text that
// is valid UTF-8 and only visible characters and spaces is shown as it
// is; anything else is shown in Go's quoted form, "like\tthis", where
// control characters, invalid bytes and invisible characters (such as
// U+202E, which turns the text after it around, or U+3164, a letter that
// shows as a blank) are escapes. Terminal escape sequences start with a
// control character, so a peer cannot clear the screen or fake a line of
// output. Text longer than maxShown bytes is cut, and says how much was
// left out.
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
		s = showFillers(strconv.Quote(s))
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
	return !strconv.IsPrint(r) || filler(r) || r == '"' || r == '\\'
}

// filler reports the characters that are letters to strconv.IsPrint but
// show as nothing, or as a blank: the Hangul fillers U+115F, U+1160,
// U+3164 and U+FFA0, and the other default-ignorable code points that
// Unicode lists (such as U+034F and U+17B4). A name made of them would
// print as an empty space.
func filler(r rune) bool {
	return unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// showFillers writes the fillers that strconv.Quote left as they are in
// quoted, a string in Go's quoted form, as escapes: "\u3164".
func showFillers(quoted string) string {
	if !strings.ContainsFunc(quoted, filler) {
		return quoted
	}
	var b strings.Builder
	for _, r := range quoted {
		if filler(r) {
			q := strconv.QuoteRuneToASCII(r) // '\u3164'
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
