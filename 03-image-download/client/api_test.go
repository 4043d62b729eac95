package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"netprog/internal/loopback"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestAPIErrors(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  string
	}{
		{"a wrong key (230) says to check the key",
			`{"code":230,"msg":"key错误或为空"}`,
			`the API answered code 230: "key错误或为空" (check the key: ` +
				"-key or the environment variable TIANAPI_KEY)"},
		{"a bad num (270) says to check -num", `{"code":270,"msg":"bad num"}`,
			`code 270: "bad num" (check -num)`},
		{"a missing parameter (280)", `{"code":280,"msg":"missing num"}`,
			`code 280: "missing num" (a parameter is missing: check -api)`},
		{"an unknown code", `{"code":150,"msg":"out of credit"}`,
			`code 150: "out of credit"`},
		{"no code at all", `{"msg":"hello"}`, "the answer has no code"},
		{"a message with an escape sequence, quoted",
			`{"code":150,"msg":"\u001b[2Jgone\nnext line"}`,
			`code 150: "\x1b[2Jgone\nnext line"`},
		{"success with no list", `{"code":200,"msg":"success"}`,
			"listed no pictures"},
		{"an answer that is not JSON", `<html>Bad Gateway</html>`,
			"the answer is not the API's JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeAPI{reply: tc.reply, env: map[string]string{"TIANAPI_KEY": "s3cret"}}
			dir := t.TempDir()
			_, err := fetchAll(t, f.start(t), dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want an error containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error %q shows the key", err)
			}
			if got := testFiles(t, dir); len(got) != 0 {
				t.Errorf("got files %q, want none", got)
			}
		})
	}

	t.Run("an HTTP error shows the status, never the key", func(t *testing.T) {
		f := (&fakeAPI{other: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream down", http.StatusBadGateway)
		}, env: map[string]string{"TIANAPI_KEY": "s3cret"}}).start(t)
		_, err := fetchAll(t, f, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), `"502 Bad Gateway"`) {
			t.Errorf("got %q, want the status", fmt.Sprint(err))
		}
		if err != nil && !strings.Contains(err.Error(), "ask "+f.url+"/meinv/: ") {
			t.Errorf("got %q, want the API's URL, without the key", fmt.Sprint(err))
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error %q shows the key", err)
		}
	})
}

// TestAPIUnreachable checks what the client says when the API does not
// answer.
func TestAPIUnreachable(t *testing.T) {
	t.Run("an API that never answers points at -timeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := (&fakeAPI{other: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // until the client gives up
			}}).startInBubble(t)
			start := time.Now()
			_, err := downloadWithin(t, f, "-out", t.TempDir(),
				"-timeout", "100ms")
			if err == nil || !strings.Contains(err.Error(),
				"no complete answer within -timeout 100ms") {
				t.Errorf("got %q, want it to point at -timeout", fmt.Sprint(err))
			}
			if err != nil && strings.Contains(err.Error(), "is the server running") {
				t.Errorf("got %q: the server is running", fmt.Sprint(err))
			}
			if got := time.Since(start); got != 100*time.Millisecond {
				t.Errorf("the client gave up after %v, want 100ms", got)
			}
		})
	})

	t.Run("a refused connection says to start the server", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close() // now nothing listens there
		f := &fakeAPI{url: srv.URL, env: map[string]string{"TIANAPI_KEY": "s3cret"}}
		_, err := fetchAll(t, f, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "is the server running?") {
			t.Errorf("got %q, want the hint to start the server", fmt.Sprint(err))
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error %q shows the key", err)
		}
	})
}

// TestAPIKey checks which key the client sends.
func TestAPIKey(t *testing.T) {
	t.Run("asks with the key from TIANAPI_KEY, and -key over it", func(t *testing.T) {
		f := (&fakeAPI{names: []string{"a.png"}, gotKey: make(chan string, 1),
			env: map[string]string{"TIANAPI_KEY": "from-env"}}).start(t)
		for _, tc := range []struct {
			flags []string
			want  string
		}{
			{nil, "from-env"},
			{[]string{"-key", "from-flag"}, "from-flag"},
		} {
			_, err := fetchAll(t, f, t.TempDir(), tc.flags...)
			if err != nil {
				t.Fatal(err)
			}
			if got := <-f.gotKey; got != tc.want {
				t.Errorf("flags %v: the API got key %q, want %q", tc.flags, got, tc.want)
			}
		}
	})
}

func FuzzParseReply(f *testing.F) {
	f.Add([]byte(`{"code":200,"msg":"success","newslist":[{"picUrl":"/a.png"}]}`))
	f.Add([]byte(`{"code":200,"result":{"list":[{"picUrl":"x"}]}}`))
	f.Add([]byte(`{"code":230,"msg":"bad key"}`))
	f.Add([]byte(`{"code":"200"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		links, err := parseReply(body)
		if err == nil && len(links) == 0 {
			t.Errorf("parseReply(%q) accepted an answer with no links", body)
		}
		if err != nil && links != nil {
			t.Errorf("parseReply(%q) returned links and an error", body)
		}
	})
}

// testStranger starts a fake API on another port of 127.0.0.1: another
// origin, which the key must never reach. It lists b.png and serves
// pictures; seen returns every request it got, head and body, as text.
func testStranger(t *testing.T) (f *fakeAPI, seen func() string) {
	t.Helper()
	f = &fakeAPI{names: []string{"b.png"}}
	var log loopback.Buffer
	h := f.handler()
	srv := httptest.NewServer(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			dump, err := httputil.DumpRequest(r, true)
			if err != nil {
				t.Errorf("the stranger could not read a request: %v", err)
			}
			_, _ = log.Write(dump) // a Buffer never fails
			h.ServeHTTP(w, r)
		}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f, log.String
}

func TestKeyStaysWithTheAPI(t *testing.T) {
	// An API that has moved elsewhere, with the query or without it:
	// the next request would carry the key in its URL, or in the
	// Referer that Go adds, the address it was redirected from.
	moves := []struct{ name, to string }{
		{"with the query", "/meinv/?"},
		{"without it", "/meinv/"},
	}
	for _, m := range moves {
		for _, v := range []string{"false", "true"} {
			t.Run("a redirect to another origin, "+m.name+", is refused, -v="+v,
				func(t *testing.T) {
					b, seen := testStranger(t)
					a := (&fakeAPI{other: func(w http.ResponseWriter, r *http.Request) {
						to := b.url + m.to
						if strings.HasSuffix(to, "?") {
							to += r.URL.RawQuery
						}
						http.Redirect(w, r, to, http.StatusFound)
					}}).start(t)
					stdout, stderr, err := testRunVerbose(t, a, "-v="+v)
					refused := fmt.Sprintf("redirected to %q", b.url)
					if err == nil || !strings.Contains(err.Error(), refused) {
						t.Errorf("got error %v, want %q and why", err, refused)
					}
					if form := secretForm(seen(), testKey); form != "" {
						t.Errorf("the other server got the key, as %q", form)
					}
					if err != nil {
						all := stdout + stderr + err.Error()
						checkOutput(t, all, []string{testKey})
						showIfFailed(t, all)
					}
				})
		}
	}

	t.Run("a redirect on the API's own origin is followed", testSameOrigin)

	t.Run("pictures on other hosts get no key, redirected or not",
		func(t *testing.T) {
			b, seen := testStranger(t)
			a := &fakeAPI{
				reply: `{"code":200,"msg":"success","newslist":[` +
					`{"picUrl":"` + b.url + `/pics/b.png"},` +
					`{"picUrl":"/pics/moved.png"}]}`,
				picture: func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, b.url+"/pics/c.png", http.StatusFound)
				},
			}
			a.start(t)
			if _, _, err := testRunVerbose(t, a, "-num", "2"); err != nil {
				t.Fatal(err)
			}
			got := seen()
			checkOutput(t, got, nil, "GET /pics/") // it did go there
			if !strings.Contains(got, "Referer: "+a.url+"/pics/moved.png") {
				t.Errorf("the other server got no Referer of the moved picture")
			}
			if form := secretForm(got, testKey); form != "" {
				t.Errorf("the other server got the key, as %q", form)
			}
			showIfFailed(t, got)
		})
}

// testSameOrigin checks that an API that moved on its own origin is
// followed there.
func testSameOrigin(t *testing.T) {
	f := &fakeAPI{names: []string{"a.png"}}
	h := f.handler()
	f.other = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old/" {
			http.Redirect(w, r, "/meinv/?"+r.URL.RawQuery, http.StatusFound)
			return
		}
		h.ServeHTTP(w, r)
	}
	f.start(t)
	if _, err := fetchAll(t, f, t.TempDir(), "-api", f.url+"/old/"); err != nil {
		t.Fatal(err)
	}
}

func TestKeyIsNeverPrinted(t *testing.T) {
	// An API may send the key back anywhere, as it got it (s3cr3t/K+y&z=1)
	// or as the URL carried it (s3cr3t%2FK%2By%26z%3D1).
	escaped := url.QueryEscape(testKey)
	// A text answer, which -v shows.
	page := func(status, body string) string {
		return fmt.Sprintf("HTTP/1.1 %s\r\nContent-Type: text/plain\r\n"+
			"Content-Length: %d\r\nConnection: close\r\n\r\n%s",
			status, len(body), body)
	}
	tests := []struct {
		name   string
		answer func(path string) string
	}{
		{"in its error message", func(string) string {
			return page("200 OK", `{"code":150,"msg":"key `+testKey+` is wrong"}`)
		}},
		{"in its status line and the page with it", func(string) string {
			return page("403 key "+testKey+" is wrong", "no key "+escaped)
		}},
		{"in an answer that is not JSON", func(string) string {
			return page("200 OK", "<p>key="+escaped+"&amp;num=10: "+testKey+"</p>")
		}},
		{"in a picture's link and status line", func(path string) string {
			if path == "/meinv/" {
				return page("200 OK", `{"code":200,"msg":"success",`+
					`"newslist":[{"picUrl":"/pics/`+escaped+`.png"}]}`)
			}
			return page("404 no "+testKey+".png here", "no "+testKey+".png")
		}},
	}
	for _, tc := range tests {
		for _, v := range []string{"false", "true"} {
			t.Run(tc.name+", -v="+v, func(t *testing.T) {
				f := &fakeAPI{url: rawAPI(t, tc.answer)}
				stdout, stderr, err := testRunVerbose(t, f, "-num", "1", "-v="+v)
				if err == nil {
					t.Fatal("got no error, want the API's refusal")
				}
				all := stdout + stderr + err.Error()
				checkOutput(t, all, []string{testKey}, "<hidden>")
				showIfFailed(t, all)
			})
		}
	}
}

func TestTheDemoKeyIsNoSecret(t *testing.T) {
	// The local server's key is public: a folder with the word in its
	// name shows as it is.
	f := (&fakeAPI{names: []string{"a.png"}}).start(t)
	dir := filepath.Join(t.TempDir(), "demo")
	out, err := fetchAll(t, f, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "a.png"); !strings.Contains(out, want) {
		t.Errorf("got %q, want it to name %q", out, want)
	}
}
