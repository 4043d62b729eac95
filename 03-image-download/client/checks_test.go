package main

// Helpers whose failures a reader who broke a line on purpose can read:
// they say first what went wrong, then show the output once, as lines.

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
)

// testNoBound is how long, on a bubble's fake clock, downloadWithin lets
// the client run: far longer than any -timeout the tests give.
const testNoBound = 10 * time.Minute

// downloadWithin runs the client against the fake with flags, as
// downloadCtx does, in a testing/synctest bubble. A client still running
// after testNoBound on the fake clock has nothing bounding its wait: it
// is stopped (Ctrl-C), and the test fails saying so, rather than in a
// deadlock.
func downloadWithin(t *testing.T, f *fakeAPI, flags ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type ended struct {
		out string
		err error
	}
	done := make(chan ended, 1)
	go func() {
		out, err := downloadCtx(ctx, t, f, flags...)
		done <- ended{out, err}
	}()
	select {
	case e := <-done:
		return e.out, e.err
	case <-time.After(testNoBound):
		cancel()
		<-done // the client stops on Ctrl-C
		t.Fatalf("the client never gave up: still waiting after %v, with "+
			"nothing to bound a request (is the http.Client's Timeout set?)",
			testNoBound)
		return "", nil // not reached: Fatalf ends the test
	}
}

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
