package main

// Helpers whose failures a reader who broke a line on purpose can read:
// they say first what went wrong, then show the output once, as lines.
// The client's tests have the same.

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode"
)

// checkOutput fails the test unless out holds each of want, each after
// the one before, and none of secrets in any form (as it is, escaped in a
// query or a path, or in base64). It says what is wrong, one line each;
// showIfFailed then shows the output.
func checkOutput(tb testing.TB, out string, secrets []string, want ...string) {
	tb.Helper()
	for _, s := range secrets {
		if form := secretForm(out, s); form != "" {
			tb.Errorf("the output shows the secret %q, as %q", s, form)
		}
	}
	rest := out
	for i, w := range want {
		at := strings.Index(rest, w)
		if at < 0 {
			tb.Errorf("the output lacks %q (%d of %d lines wanted in order)",
				strings.TrimSuffix(w, "\n"), i+1, len(want))
			return
		}
		rest = rest[at+len(w):]
	}
}

// secretForm returns the form in which out shows secret (as it is,
// escaped in a query or a path, or in base64), or "" if it does not.
func secretForm(out, secret string) string {
	for _, form := range []string{secret, url.QueryEscape(secret),
		url.PathEscape(secret), base64.StdEncoding.EncodeToString([]byte(secret))} {
		if form != "" && strings.Contains(out, form) {
			return form
		}
	}
	return ""
}

// showIfFailed shows out once, line by line, if the test has failed.
func showIfFailed(tb testing.TB, out string) {
	tb.Helper()
	if tb.Failed() {
		tb.Logf("the output:\n%s", testLines(out))
	}
}

// testLines returns out indented, a line at a time; a line that holds a
// control character is quoted, so that it cannot drive the terminal.
func testLines(out string) string {
	var b strings.Builder
	for line := range strings.Lines(out) {
		line = strings.TrimSuffix(line, "\n")
		if strings.ContainsFunc(line, unicode.IsControl) {
			line = fmt.Sprintf("%q", line)
		}
		b.WriteString("    " + line + "\n")
	}
	return b.String()
}
