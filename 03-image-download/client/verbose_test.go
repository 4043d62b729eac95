package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// testKey is a distinctive API key, with characters that a URL escapes.
const testKey = "s3cr3t/K+y&z=1"

// testRunVerbose runs the client against f with TIANAPI_KEY set to testKey, and
// returns what it printed on stdout and on stderr, and its error.
func testRunVerbose(tb testing.TB, f *fakeAPI, flags ...string) (stdout, stderr string,
	err error) {
	tb.Helper()
	// With -v, the workers print while the program prints its progress.
	var out, errOut loopback.Buffer
	args := append([]string{"-api", f.url + "/meinv/", "-out", tb.TempDir()},
		flags...)
	getenv := func(k string) string { return map[string]string{"TIANAPI_KEY": testKey}[k] }
	err = run(context.Background(), args, getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// verboseNames are the pictures the fake API lists in TestVerbose.
var verboseNames = []string{"1.png", "2.png", "3.png", "4.png", "5.png",
	"6.png"}

func TestVerbose(t *testing.T) {
	names := verboseNames

	t.Run("-v shows the API call and every picture, the key hidden",
		testVerboseShowsEverything)

	t.Run("the exchanges of workers never mix", testVerboseWorkersNeverMix)

	t.Run("a key given with -key is hidden too, also when it is refused",
		func(t *testing.T) {
			const other = "0ther/K+y&z=2"
			f := (&fakeAPI{reply: `{"code":230,"msg":"wrong key"}`}).start(t)
			stdout, stderr, err := testRunVerbose(t, f, "-v", "-key", other)
			if err == nil {
				t.Fatal("got no error, want code 230")
			}
			all := stdout + stderr + err.Error()
			checkOutput(t, all, []string{testKey, other},
				shown("C:", "GET /meinv/?key=<hidden>&num=10 HTTP/1.1\r\n"),
				shown("S:", `{"code":230,"msg":"wrong key"}`))
			showIfFailed(t, all)
		})

	t.Run("a key sent back in a redirect's address is hidden too",
		testVerboseRedirectHidesTheKey)

	t.Run("without -v nothing of the conversation is printed",
		func(t *testing.T) {
			f := (&fakeAPI{names: names}).start(t)
			stdout, stderr, err := testRunVerbose(t, f, "-num", "6")
			if err != nil {
				t.Fatal(err)
			}
			if tapLine.MatchString(stdout + stderr) {
				t.Errorf("without -v, the client printed lines of the " +
					"conversation")
			}
			showIfFailed(t, stdout+stderr)
		})

	t.Run("a request that cannot be sent says so, the key hidden",
		func(t *testing.T) {
			srv := httptest.NewServer(http.NotFoundHandler())
			srv.Close() // now nothing listens there
			stdout, stderr, err := testRunVerbose(t, &fakeAPI{url: srv.URL}, "-v")
			if !refused(err) { // not its words: each system has its own
				t.Fatalf("got %v, want connection refused", err)
			}
			all := stdout + stderr + err.Error()
			checkOutput(t, all, []string{testKey}, "* not sent: ")
			if strings.Contains(stderr, "C: ") {
				t.Errorf("a request is shown, and none was sent")
			}
			showIfFailed(t, all)
		})
}

// testVerboseShowsEverything: with -v, the API call and each picture's
// exchange are on stderr in order, connections are reused, and the key
// is nowhere.
func testVerboseShowsEverything(t *testing.T) {
	names := verboseNames
	f := (&fakeAPI{names: names}).start(t)
	stdout, stderr, err := testRunVerbose(t, f, "-v", "-num", "6")
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(f.url, "http://")
	all := stdout + stderr
	checkOutput(t, all, []string{testKey}, "* new connection ",
		shown("C:", "GET /meinv/?key=<hidden>&num=6 HTTP/1.1\r\n"),
		shown("C:", "Host: "+host+"\r\n"),
		shown("C:", "Accept: application/json\r\n"), shown("C:", "\r\n"),
		shown("S:", "HTTP/1.1 200 OK\r\n"),
		shown("S:", "Content-Type: application/json\r\n"), shown("S:", "\r\n"),
		`S: "{\"code\":200,\"msg\":\"success\",\"newslist\":[`)
	for _, name := range names {
		checkOutput(t, stderr, nil,
			shown("C:", "GET /pics/"+name+" HTTP/1.1\r\n"),
			shown("S:", "HTTP/1.1 200 OK\r\n"),
			shown("S:", "Content-Type: image/png\r\n"),
			fmt.Sprintf("S: <%d bytes of image/png>\n", len(tinyPNG)))
	}
	if !strings.Contains(stderr, "* reused connection ") {
		t.Errorf("no connection was reused")
	}
	showIfFailed(t, all)
}

// testVerboseWorkersNeverMix: six workers print at once, yet each
// picture's exchange is shown in one piece.
func testVerboseWorkersNeverMix(t *testing.T) {
	names := verboseNames
	f := (&fakeAPI{names: names}).start(t)
	_, stderr, err := testRunVerbose(t, f, "-v", "-num", "6", "-workers", "6")
	if err != nil {
		t.Fatal(err)
	}
	// From each request line to its answer's body, no other request.
	exchange := regexp.MustCompile(`(?s)C: "GET /pics/(\d).png HTTP/1.1\\r\\n"\n` +
		`(.*?)S: <\d+ bytes of image/png>\n`)
	found := exchange.FindAllStringSubmatch(stderr, -1)
	if len(found) != len(names) {
		t.Errorf("got %d exchanges of pictures, want %d", len(found),
			len(names))
	}
	for _, m := range found {
		if strings.Contains(m[2], "C: GET") {
			t.Errorf("the exchange of %s.png holds another request", m[1])
		}
	}
	showIfFailed(t, stderr)
}

// testVerboseRedirectHidesTheKey: an API that redirects to an address
// holding the key gets it shown hidden, in the Location, the page, the
// next request and its Referer.
func testVerboseRedirectHidesTheKey(t *testing.T) {
	f := &fakeAPI{other: func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/meinv" { // as http.ServeMux answers it
			http.Redirect(w, r, "/meinv/?"+r.URL.RawQuery,
				http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"code":230,"msg":"wrong key"}`)
	}}
	f.start(t)
	stdout, stderr, err := testRunVerbose(t, f, "-v", "-api", f.url+"/meinv")
	if err == nil {
		t.Fatal("got no error, want code 230")
	}
	all := stdout + stderr + err.Error()
	checkOutput(t, all, []string{testKey},
		shown("S:", "HTTP/1.1 307 Temporary Redirect\r\n"),
		shown("S:", "Location: /meinv/?key=<hidden>&num=10\r\n"),
		`S: "<a href=\"/meinv/?key=<hidden>&amp;num=10\">`,
		shown("C:", "GET /meinv/?key=<hidden>&num=10 HTTP/1.1\r\n"),
		`C: "Referer: http://`, "/meinv?key=<hidden>&num=10\\r\\n\"\n")
	showIfFailed(t, all)
}

func TestVerboseHead(t *testing.T) {
	// The answer to a HEAD has the headers a GET would get, Content-Length
	// included, and no body.
	f := (&fakeAPI{names: []string{"1.png"}}).start(t)
	var stderr loopback.Buffer
	client := &http.Client{Transport: tapTransport(nil, log.New(&stderr, "", 0))}
	resp, err := client.Head(f.url + "/pics/1.png")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	checkOutput(t, stderr.String(), nil, shown("C:", "HEAD /pics/1.png HTTP/1.1\r\n"),
		shown("S:", "Content-Length: "+fmt.Sprint(len(tinyPNG))+"\r\n"),
		shown("S:", "Content-Type: image/png\r\n"), shown("S:", "\r\n"))
	showIfFailed(t, stderr.String())
	if strings.Contains(stderr.String(), "bytes of image/png") {
		t.Errorf("got %q, want no body shown", stderr.String())
	}
}

func TestVerboseQuotes(t *testing.T) {
	// A header may hold any visible character, U+202E included, which
	// shows the text after it backwards: "abc\u202egnp.exe" would show
	// as "abcexe.png".
	answer := func(string) string {
		return "HTTP/1.1 503 \x1b[2JOK\r\nX-Evil: abc\u202egnp.exe\r\n" +
			"Content-Length: 0\r\nConnection: close\r\n\r\n"
	}
	f := &fakeAPI{url: rawAPI(t, answer)}
	_, stderr, err := testRunVerbose(t, f, "-v")
	if err == nil {
		t.Fatal("got no error, want the 503")
	}
	checkOutput(t, stderr, nil, `S: "HTTP/1.1 503 \x1b[2JOK\r\n"`+"\n",
		`S: "X-Evil: abc\u202egnp.exe\r\n"`+"\n")
	showIfFailed(t, stderr)
	if strings.ContainsAny(stderr, "\x1b\u202e") {
		t.Errorf("got %q, want no escape and no U+202E as it is", stderr)
	}
}

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

// testResponse is an HTTP/1.1 response with the status line status and
// body, that closes the connection.
func testResponse(status, body string) string {
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
		return testResponse("200 OK", fmt.Sprintf(
			`{"code":200,"msg":"success","newslist":[{"picUrl":%s}]}`, link))
	}
	tests := []struct {
		name   string
		answer func(path string) string
		want   string // in the output or the error
	}{
		{"the API's status line", func(string) string {
			return testResponse(fake, "")
		}, `/meinv/: ` + fmt.Sprintf("%q", fake) + `: ""` + "\n"},
		{"a picture's status line", func(path string) string {
			if path == "/meinv/" {
				return list("/pics/a.png")
			}
			return testResponse(fake, "")
		}, `/pics/a.png": ` + fmt.Sprintf("%q", fake)},
		{"the body of an API error", func(string) string {
			return testResponse("500 Internal Server Error", "\x1b[2Jgone\r\n")
		}, `"500 Internal Server Error": "\x1b[2Jgone"`},
		{"an answer that is not JSON", func(string) string {
			return testResponse("200 OK", "<html>\x1b]0;owned\a</html>")
		}, `: "<html>\x1b]0;owned\a</html>"`},
		{"a link that is not a URL", func(string) string {
			return list("/pics/\x1b[2J.png")
		}, `failed "/pics/\x1b[2J.png": not a link`},
		{"a status line too long to show", func(string) string {
			return testResponse("502 "+strings.Repeat("x", 300), "")
		}, `"502 ` + strings.Repeat("x", 196) + `": ""`}, // 200 characters
	}
	for _, tc := range tests {
		for _, v := range []string{"", " with -v"} {
			t.Run(tc.name+v, func(t *testing.T) {
				checkQuoted(t, tc.answer, tc.want, v != "")
			})
		}
	}
}

// checkQuoted runs the client, with -v if withV, against a server that
// gives answer, and fails the test unless its output and its error hold
// want and no control character.
func checkQuoted(t *testing.T, answer func(path string) string, want string,
	withV bool) {
	t.Helper()
	var out strings.Builder
	args := []string{"-api", rawAPI(t, answer) + "/meinv/", "-num", "1",
		"-out", t.TempDir(), "-v=" + strconv.FormatBool(withV)}
	err := run(context.Background(), args, func(string) string { return "" },
		&out, &out)
	all := out.String()
	if err != nil {
		all += "client: " + err.Error() + "\n"
	}
	if strings.ContainsAny(all, "\x1b\r\a") {
		t.Errorf("the output holds control characters as they are, " +
			"not quoted (shown quoted below)")
	}
	if !strings.Contains(all, want) {
		t.Errorf("the output lacks %q", want)
	}
	showIfFailed(t, all)
}
