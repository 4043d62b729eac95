package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
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
			`the API answered code 230: key错误或为空 (check the key: ` +
				"-key or the environment variable TIANAPI_KEY)"},
		{"a bad num (270) says to check -num", `{"code":270,"msg":"bad num"}`,
			`code 270: bad num (check -num)`},
		{"a missing parameter (280)", `{"code":280,"msg":"missing num"}`,
			`code 280: missing num (a parameter is missing: check -api)`},
		{"an unknown code", `{"code":150,"msg":"out of credit"}`,
			`code 150: out of credit`},
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
			f := (&fakeAPI{reply: tc.reply}).start(t)
			dir := t.TempDir()
			_, err := downloadCtx(context.Background(), t, f, dir,
				map[string]string{"TIANAPI_KEY": "s3cret"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want an error containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error %q shows the key", err)
			}
			if got := files(t, dir); len(got) != 0 {
				t.Errorf("got files %q, want none", got)
			}
		})
	}

	t.Run("an HTTP error shows the status, never the key", func(t *testing.T) {
		f := (&fakeAPI{other: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream down", http.StatusBadGateway)
		}}).start(t)
		_, err := downloadCtx(context.Background(), t, f, t.TempDir(),
			map[string]string{"TIANAPI_KEY": "s3cret"})
		if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
			t.Errorf("got %q, want the status", fmt.Sprint(err))
		}
		if err != nil && !strings.Contains(err.Error(), "key=REDACTED") {
			t.Errorf("got %q, want the URL with the key hidden", fmt.Sprint(err))
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
			_, err := fetchAll(t, f, t.TempDir(), "-timeout", "100ms")
			if err == nil || !strings.Contains(err.Error(),
				"no answer within -timeout 100ms") {
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
		_, err := downloadCtx(context.Background(), t, &fakeAPI{url: srv.URL}, t.TempDir(),
			map[string]string{"TIANAPI_KEY": "s3cret"})
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
		f := (&fakeAPI{names: []string{"a.png"}, gotKey: make(chan string, 1)}).start(t)
		env := map[string]string{"TIANAPI_KEY": "from-env"}
		for _, tc := range []struct {
			flags []string
			want  string
		}{
			{nil, "from-env"},
			{[]string{"-key", "from-flag"}, "from-flag"},
		} {
			_, err := downloadCtx(context.Background(), t, f, t.TempDir(), env, tc.flags...)
			if err != nil {
				t.Fatal(err)
			}
			if got := <-f.gotKey; got != tc.want {
				t.Errorf("flags %v: the API got key %q, want %q", tc.flags, got, tc.want)
			}
		}
	})
}

// TestLinks checks which links the client follows, and how it shows
// them.
func TestLinks(t *testing.T) {
	t.Run("fetches only http and https links to a file", func(t *testing.T) {
		reply := `{"code":200,"msg":"success","newslist":[
			{"picUrl":"file:///etc/passwd"},
			{"picUrl":"ftp://127.0.0.1/a.png"},
			{"picUrl":""},
			{"picUrl":"?page=2"},
			{"picUrl":"/pics/missing.png?token=SECRET123"},
			{"picUrl":"/pics/a.png"}]}`
		picture := func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/pics/missing.png" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(tinyPNG)
		}
		f := (&fakeAPI{reply: reply, picture: picture}).start(t)
		dir := t.TempDir()
		out, err := fetchAll(t, f, dir)
		if err == nil || err.Error() != "5 of 6 pictures failed" {
			t.Errorf("got %q, want 5 of 6 pictures failed", fmt.Sprint(err))
		}
		for _, want := range []string{
			"failed file:///etc/passwd: not an http or https link",
			"failed ftp://127.0.0.1/a.png: not an http or https link",
			"failed an empty link: not a link to a picture",
			"failed ?...: not a link to a picture",
			"/pics/missing.png?...: 404 Not Found",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output %q does not contain %q", out, want)
			}
		}
		if strings.Contains(out, "SECRET123") {
			t.Errorf("output %q shows a link's query", out)
		}
		if got := files(t, dir); !slices.Equal(got, []string{"a.png"}) {
			t.Errorf("got files %q, want [a.png]", got)
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
