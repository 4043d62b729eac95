// Tests of taphttp.go, the same file in 03-image-download/client,
// 03-image-download/server, 05-sms/client and 05-sms/server; a test keeps
// the copies identical.

package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"netprog/internal/loopback"
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

// tapLine matches a line that -v prints, a note or what a side sent,
// and on a server the client's address before it.
var tapLine = regexp.MustCompile(`(?m)^(\S+ )?(\* |C: |S: )`)

// shown returns line, sent by who ("C:" or "S:"), as -v prints it:
// C: "Host: h\r\n".
func shown(who, line string) string { return fmt.Sprintf("%s %q\n", who, line) }

func TestTapHead(t *testing.T) {
	hidden := []string{"key", "password"}
	tests := []struct{ name, head, want string }{
		{"a query field named is hidden",
			"GET /meinv/?key=s3cr3t&num=10 HTTP/1.1\r\nHost: h\r\n\r\n",
			`C: "GET /meinv/?key=<hidden>&num=10 HTTP/1.1\r\n"
C: "Host: h\r\n"
C: "\r\n"`},
		{"however its name is escaped, and each time it comes",
			"GET /?k%65y=a&num=1&key=b HTTP/1.1\r\n\r\n",
			`C: "GET /?k%65y=<hidden>&num=1&key=<hidden> HTTP/1.1\r\n"
C: "\r\n"`},
		{"in any case",
			"GET /?KEY=a&Key=b&num=1&Password=c HTTP/1.1\r\n",
			`C: "GET /?KEY=<hidden>&Key=<hidden>&num=1&Password=<hidden> HTTP/1.1\r\n"`},
		{"a name that cannot be unescaped may be one: hidden",
			"GET /?ke%y=a&num=%zz HTTP/1.1\r\n",
			`C: "GET /?ke%y=<hidden>&num=%zz HTTP/1.1\r\n"`},
		{"a credential header is hidden",
			"GET / HTTP/1.1\r\nAuthorization: Basic dTpw\r\nCookie: id=1\r\n",
			`C: "GET / HTTP/1.1\r\n"
C: "Authorization: <hidden>\r\n"
C: "Cookie: <hidden>\r\n"`},
		{"a status line as any other",
			"HTTP/1.1 200 OK?key=1\r\nSet-Cookie: id=1\r\n",
			`C: "HTTP/1.1 200 OK?key=<hidden>\r\n"
C: "Set-Cookie: <hidden>\r\n"`},
		{"a credential header in any case",
			"GET / HTTP/1.1\r\nauthorization: Basic dTpw\r\n",
			`C: "GET / HTTP/1.1\r\n"
C: "authorization: <hidden>\r\n"`},
		{"a redirect's address, and the Referer after it",
			"HTTP/1.1 307 Temporary Redirect\r\nLocation: /meinv/?key=s3%2Fc&num=1\r\n" +
				"Referer: http://h/meinv?num=1&KEY=s3c\r\nX-Monkey: monkey=1\r\n",
			`C: "HTTP/1.1 307 Temporary Redirect\r\n"
C: "Location: /meinv/?key=<hidden>&num=1\r\n"
C: "Referer: http://h/meinv?num=1&KEY=<hidden>\r\n"
C: "X-Monkey: monkey=1\r\n"`},
		{"control characters and U+202E are escaped",
			"HTTP/1.1 503 \x1b[2JOK\r\nX-Evil: abc\u202egnp.exe\r\n",
			`C: "HTTP/1.1 503 \x1b[2JOK\r\n"
C: "X-Evil: abc\u202egnp.exe\r\n"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &tapBody{head: []byte(tc.head)}
			got := strings.Join(b.lines("C:", hidden), "\n")
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestTapBody(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	long := strings.Repeat("a", maxTapBody+10)
	tests := []struct{ name, ctype, body, want string }{
		{"a picture by its size", "image/png", strings.Repeat("x", 1396),
			"S: <1396 bytes of image/png>"},
		{"bytes of no type", "", "x", "S: <1 bytes of unknown type>"},
		{"an empty body as nothing", "image/png", "", ""},
		{"JSON as it is, quoted", "application/json; charset=utf-8",
			`{"code":2}`, `S: "{\"code\":2}"`},
		{"text a line at a time", "text/xml", "<a>\n<b>\x1b</b>\n",
			`S: "<a>\n"` + "\n" + `S: "<b>\x1b</b>\n"`},
		{"a form with the password hidden", form, "a=1&password=s3cr3t&b=2",
			`S: "a=1&password=<hidden>&b=2"`},
		{"a form with the password hidden in any case", form,
			"PASSWORD=s3cr3t&Password=s3cr3t",
			`S: "PASSWORD=<hidden>&Password=<hidden>"`},
		{"a page that shows the address with the password", "text/html",
			`<a href="/?a=1&amp;password=s3cr3t">x</a>`,
			`S: "<a href=\"/?a=1&amp;password=<hidden>"`},
		{"text longer than kept says how much more", "text/plain", long,
			`S: "` + long[:maxTapBody] + `"` + "\nS: <10 more bytes>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := &tapBody{media: mediaType(http.Header{"Content-Type": {tc.ctype}})}
			b.add([]byte(tc.body))
			got := strings.Join(b.lines("S:", []string{"password"}), "\n")
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// FuzzHideFields checks that whatever a query or a form holds, no field
// named to be hidden keeps its value: read back as a server reads it,
// every password is <hidden>.
func FuzzHideFields(f *testing.F) {
	for _, s := range []string{"password=s3cr3t", "a=1&password=x&Password=y",
		"pass%77ord=x", "password", "password=a%zz", "%zz=x&password=%26",
		"a=1;password=x", "password=x=y&&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, fields string) {
		hidden := hideFields(fields, []string{"password"})
		read, _ := url.ParseQuery(hidden) // what it can read, it reads
		for name, values := range read {
			for _, v := range values {
				if strings.EqualFold(name, "password") && v != "<hidden>" {
					t.Errorf("%q: got %q, where %s reads %q",
						fields, hidden, name, v)
				}
			}
		}
		if strings.Count(hidden, "&") != strings.Count(fields, "&") {
			t.Errorf("%q: got %q, want the same fields", fields, hidden)
		}
	})
}

// TestTapReadsNoMore checks that -v shows a body as far as the program
// read it, and reads no further itself: a handler that stops early, a
// client that reads all, then one that stops early.
func TestTapReadsNoMore(t *testing.T) {
	var srvLog, cliLog loopback.Buffer
	srv := httptest.NewServer(tapHandler(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.CopyN(io.Discard, r.Body, 3) // of 20000 bytes
			w.Header().Set("Content-Type", "text/plain")
			for range 10 {
				_, _ = w.Write([]byte(strings.Repeat("a", 1000)))
				_ = http.NewResponseController(w).Flush() // through Unwrap
			}
		}), log.New(&srvLog, "", 0)))
	t.Cleanup(srv.Close)
	client := &http.Client{Transport: tapTransport(srv.Client().Transport,
		log.New(&cliLog, "", 0))}
	for _, read := range []int64{10000, 5000} {
		resp, err := client.Post(srv.URL, "image/png",
			strings.NewReader(strings.Repeat("x", 20000)))
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, read))
		_ = resp.Body.Close()
		if n != read || err != nil {
			t.Fatalf("read %d bytes, %v; want %d", n, err, read)
		}
	}
	srv.Close() // once the handlers are done: -v prints after each
	checkOutput(t, srvLog.String(), nil, " C: <3 bytes of image/png>\n",
		shown("S:", "Content-Type: text/plain\r\n"), " S: <5904 more bytes>\n")
	showIfFailed(t, srvLog.String())
	// What the client sent is as far as its transport read it: the server
	// may answer before the end, so the test does not count it.
	checkOutput(t, cliLog.String(), nil, shown("C:", "POST / HTTP/1.1\r\n"),
		shown("S:", "Transfer-Encoding: chunked\r\n"), "S: <5904 more bytes>\n",
		shown("C:", "POST / HTTP/1.1\r\n"), "S: <904 more bytes>\n")
	showIfFailed(t, cliLog.String())
}
