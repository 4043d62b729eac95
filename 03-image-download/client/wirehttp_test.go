// This file is the same in every HTTP program: 03-image-download/client,
// 03-image-download/server, 05-sms/client and 05-sms/server: it tests
// wirehttp.go. A test keeps the copies identical.

package main

import (
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// checkInOrder fails the test unless out holds each of want, each after
// the one before.
func checkInOrder(tb testing.TB, out string, want ...string) {
	tb.Helper()
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			tb.Errorf("got %q, want %q in it, in this order: %q", out, w, want)
			return
		}
		rest = rest[i+len(w):]
	}
}

// checkHidden fails the test if out shows one of secrets in any form: as
// it is, escaped in a query, a form or a path, or in base64.
func checkHidden(tb testing.TB, out string, secrets ...string) {
	tb.Helper()
	for _, s := range secrets {
		for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s),
			base64.StdEncoding.EncodeToString([]byte(s))} {
			if form != "" && strings.Contains(out, form) {
				tb.Errorf("got %q, which shows a secret as %q", out, form)
			}
		}
	}
}

// wireLine matches a line that -v prints, a note or what a side sent,
// and on a server the client's address before it.
var wireLine = regexp.MustCompile(`(?m)^(\S+ )?(\* |C: |S: )`)

func TestWireHead(t *testing.T) {
	hidden := []string{"key", "password"}
	tests := []struct{ name, head, want string }{
		{"a query field named is hidden",
			"GET /meinv/?key=s3cr3t&num=10 HTTP/1.1\r\nHost: h\r\n\r\n",
			"GET /meinv/?key=<hidden>&num=10 HTTP/1.1\nHost: h\n\n"},
		{"however its name is escaped, and each time it comes",
			"GET /?k%65y=a&num=1&key=b HTTP/1.1\r\n\r\n",
			"GET /?k%65y=<hidden>&num=1&key=<hidden> HTTP/1.1\n\n"},
		{"in any case",
			"GET /?KEY=a&Key=b&num=1&Password=c HTTP/1.1\r\n\r\n",
			"GET /?KEY=<hidden>&Key=<hidden>&num=1&Password=<hidden> HTTP/1.1\n\n"},
		{"a name that cannot be unescaped may be one: hidden",
			"GET /?ke%y=a&num=%zz HTTP/1.1\r\n\r\n",
			"GET /?ke%y=<hidden>&num=%zz HTTP/1.1\n\n"},
		{"a credential header is hidden",
			"GET / HTTP/1.1\r\nAuthorization: Basic dTpw\r\nCookie: id=1\r\n\r\n",
			"GET / HTTP/1.1\nAuthorization: <hidden>\nCookie: <hidden>\n\n"},
		{"a status line is left as it is",
			"HTTP/1.1 200 OK?key=1\r\nSet-Cookie: id=1\r\n\r\n",
			"HTTP/1.1 200 OK?key=1\nSet-Cookie: <hidden>\n\n"},
		{"a credential header in any case",
			"GET / HTTP/1.1\r\nauthorization: Basic dTpw\r\n\r\n",
			"GET / HTTP/1.1\nauthorization: <hidden>\n\n"},
		{"a redirect's address, and the Referer after it",
			"HTTP/1.1 307 Temporary Redirect\r\nLocation: /meinv/?key=s3%2Fc&num=1\r\n" +
				"Referer: http://h/meinv?num=1&KEY=s3c\r\nX-Monkey: monkey=1\r\n\r\n",
			"HTTP/1.1 307 Temporary Redirect\nLocation: /meinv/?key=<hidden>&num=1\n" +
				"Referer: http://h/meinv?num=1&KEY=<hidden>\nX-Monkey: monkey=1\n\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := wireHead([]byte(tc.head), hidden); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWireBody(t *testing.T) {
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name, ctype, kept string
		size              int64
		want              string
	}{
		{"a picture by its size", "image/png", "", 1396,
			"<1,396 bytes of image/png>"},
		{"a picture of unknown length", "image/png", "", -1,
			"<image/png, length not given>"},
		{"bytes of no type", "", "", 1, "<1 byte>"},
		{"an empty body as nothing", "image/png", "", 0, ""},
		{"JSON as it is", "application/json; charset=utf-8", `{"code":2}`, 10,
			`{"code":2}`},
		{"a form with the password hidden", form, "a=1&password=s3cr3t&b=2", 23,
			"a=1&password=<hidden>&b=2"},
		{"a form with the password hidden in any case", form,
			"PASSWORD=s3cr3t&Password=s3cr3t", 31,
			"PASSWORD=<hidden>&Password=<hidden>"},
		{"a page that shows the address with the password", "text/html",
			`<a href="/?a=1&amp;password=s3cr3t">x</a>`, 38,
			`<a href="/?a=1&amp;password=<hidden>">x</a>`},
		{"text longer than kept says how much more", "text/plain", "abc", 1048579,
			"abc\n<1,048,576 bytes more>"},
		{"text cut at an unknown length says so", "text/xml", "<a>", -1,
			"<a>\n<more, length not given>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := wireBody(tc.ctype, []byte(tc.kept), tc.size, []string{"password"})
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
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
