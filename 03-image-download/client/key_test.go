package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// stranger starts a fake API on another port of 127.0.0.1: another
// origin, which the key must never reach. It lists b.png and serves
// pictures; seen returns every request it got, head and body, as text.
func stranger(t *testing.T) (f *fakeAPI, seen func() string) {
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
					b, seen := stranger(t)
					a := (&fakeAPI{other: func(w http.ResponseWriter, r *http.Request) {
						to := b.url + m.to
						if strings.HasSuffix(to, "?") {
							to += r.URL.RawQuery
						}
						http.Redirect(w, r, to, http.StatusFound)
					}}).start(t)
					stdout, stderr, err := verbose(t, a, "-v="+v)
					refused := "redirected to " + b.url
					if err == nil || !strings.Contains(err.Error(), refused) {
						t.Errorf("got error %v, want %q and why", err, refused)
					}
					checkHidden(t, seen(), key)
					if err != nil {
						checkHidden(t, stdout+stderr+err.Error(), key)
					}
				})
		}
	}

	t.Run("a redirect on the API's own origin is followed", testSameOrigin)

	t.Run("pictures on other hosts get no key, redirected or not",
		func(t *testing.T) {
			b, seen := stranger(t)
			a := &fakeAPI{
				reply: `{"code":200,"msg":"success","newslist":[` +
					`{"picUrl":"` + b.url + `/pics/b.png"},` +
					`{"picUrl":"/pics/moved.png"}]}`,
				picture: func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, b.url+"/pics/c.png", http.StatusFound)
				},
			}
			a.start(t)
			if _, _, err := verbose(t, a, "-num", "2"); err != nil {
				t.Fatal(err)
			}
			got := seen()
			checkInOrder(t, got, "GET /pics/") // it did go there
			if !strings.Contains(got, "Referer: "+a.url+"/pics/moved.png") {
				t.Errorf("got %q, want the moved picture's Referer", got)
			}
			checkHidden(t, got, key)
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
	escaped := url.QueryEscape(key)
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
			return page("200 OK", `{"code":150,"msg":"key `+key+` is wrong"}`)
		}},
		{"in its status line and the page with it", func(string) string {
			return page("403 key "+key+" is wrong", "no key "+escaped)
		}},
		{"in an answer that is not JSON", func(string) string {
			return page("200 OK", "<p>key="+escaped+"&amp;num=10: "+key+"</p>")
		}},
		{"in a picture's link and status line", func(path string) string {
			if path == "/meinv/" {
				return page("200 OK", `{"code":200,"msg":"success",`+
					`"newslist":[{"picUrl":"/pics/`+escaped+`.png"}]}`)
			}
			return page("404 no "+key+".png here", "no "+key+".png")
		}},
	}
	for _, tc := range tests {
		for _, v := range []string{"false", "true"} {
			t.Run(tc.name+", -v="+v, func(t *testing.T) {
				f := &fakeAPI{url: rawAPI(t, tc.answer)}
				stdout, stderr, err := verbose(t, f, "-num", "1", "-v="+v)
				if err == nil {
					t.Fatal("got no error, want the API's refusal")
				}
				all := stdout + stderr + err.Error()
				checkHidden(t, all, key)
				if !strings.Contains(all, "<hidden>") {
					t.Errorf("got %q, want what the API said, the key as <hidden>",
						all)
				}
			})
		}
	}
}

func TestTheDemoKeyIsNoSecret(t *testing.T) {
	// The local server's key is public: a folder with the word in its
	// name shows as it is.
	f := (&fakeAPI{names: []string{"a.png"}}).start(t)
	dir := filepath.Join(t.TempDir(), "demo")
	out, err := downloadCtx(context.Background(), t, f, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "a.png"); !strings.Contains(out, want) {
		t.Errorf("got %q, want it to name %q", out, want)
	}
}
