package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// rawAPI is a server that writes what answer returns for a request's path,
// byte for byte, so that a test can send what no well-behaved server
// would: a status line with escape sequences in it.
func rawAPI(t *testing.T, answer func(path string) string) string {
	t.Helper()
	addr := loopback.Serve(t, func(conn net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return // the client went away
		}
		_, _ = io.WriteString(conn, answer(req.URL.Path)) // then closed
	})
	return "http://" + addr
}

// response is an HTTP/1.1 response with the status line status and body,
// that closes the connection.
func response(status, body string) string {
	return fmt.Sprintf("HTTP/1.1 %s\r\nContent-Length: %d\r\n"+
		"Connection: close\r\n\r\n%s", status, len(body), body)
}

func TestNetworkTextIsQuoted(t *testing.T) {
	// A gateway that answers this would clear the screen and show a fake
	// success in green, if its status line were printed as it is.
	fake := "503 \x1b[2J\x1b[1;32msent to 138****5678, smsid OK\x1b[0m\rFAKE"
	list := func(picURL string) string {
		link, err := json.Marshal(picURL)
		if err != nil {
			panic(err) // a string always marshals
		}
		return response("200 OK", fmt.Sprintf(
			`{"code":200,"msg":"success","newslist":[{"picUrl":%s}]}`, link))
	}
	tests := []struct {
		name   string
		answer func(path string) string
		want   string // in the output or the error
	}{
		{"the API's status line", func(string) string {
			return response(fake, "")
		}, "num=1: " + quote(fake) + "\n"},
		{"a picture's status line", func(path string) string {
			if path == "/meinv/" {
				return list("/pics/a.png")
			}
			return response(fake, "")
		}, "/pics/a.png: " + quote(fake)},
		{"the body of an API error", func(string) string {
			return response("500 Internal Server Error", "\x1b[2Jgone\r\n")
		}, `500 Internal Server Error: "\x1b[2Jgone"`},
		{"an answer that is not JSON", func(string) string {
			return response("200 OK", "<html>\x1b]0;owned\a</html>")
		}, `: "<html>\x1b]0;owned\a</html>"`},
		{"a link that is not a URL", func(string) string {
			return list("/pics/\x1b[2J.png")
		}, `failed "/pics/\x1b[2J.png": not a link`},
		{"a status line too long to show", func(string) string {
			return response("502 "+strings.Repeat("x", 300), "")
		}, "502 " + strings.Repeat("x", 196) + "... (104 more bytes)"},
	}
	for _, tc := range tests {
		for _, v := range []string{"", " with -v"} {
			t.Run(tc.name+v, func(t *testing.T) {
				checkQuoted(t, tc.answer, tc.want, v != "")
			})
		}
	}
}

// checkQuoted runs the client, with -v if verbose, against a server that
// gives answer, and fails the test unless its output and its error hold
// want and no control character.
func checkQuoted(t *testing.T, answer func(path string) string, want string,
	verbose bool) {
	t.Helper()
	var out strings.Builder
	args := []string{"-api", rawAPI(t, answer) + "/meinv/", "-num", "1",
		"-out", t.TempDir(), "-v=" + strconv.FormatBool(verbose)}
	err := run(context.Background(), args, func(string) string { return "" },
		&out, &out)
	all := out.String()
	if err != nil {
		all += "client: " + err.Error() + "\n"
	}
	if strings.ContainsAny(all, "\x1b\r\a") {
		t.Errorf("the output holds control characters: %q", all)
	}
	if !strings.Contains(all, want) {
		t.Errorf("got %q, want it to contain %q", all, want)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"200 OK", "200 OK"},
		{"猫.png", "猫.png"},
		{"", ""},
		{"a\x1b[2Jb", `"a\x1b[2Jb"`},
		{"OK\rFAKE", `"OK\rFAKE"`},
		{"a\u202Egnp.exe", `"a\u202egnp.exe"`},
		{"\u3164.png", `"\u3164.png"`},
		{"\u1160", `"\u1160"`},
		{`"quoted"`, `"\"quoted\""`},
		{"\xff", `"\xff"`},
		{strings.Repeat("é", 150), strings.Repeat("é", 100) + "... (100 more bytes)"},
	}
	for _, tc := range tests {
		if got := quote(tc.in); got != tc.want {
			t.Errorf("quote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
