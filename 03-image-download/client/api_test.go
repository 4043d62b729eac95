package main

import (
	"context"
	"net/http"
	"net/http/httptest"
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
			t.Errorf("got %q, want the status", err)
		}
		if err != nil && !strings.Contains(err.Error(), "key=REDACTED") {
			t.Errorf("got %q, want the URL with the key hidden", err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error %q shows the key", err)
		}
	})

	t.Run("an API that never answers points at -timeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := (&fakeAPI{other: func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // until the client gives up
			}}).startInBubble(t)
			start := time.Now()
			_, err := fetchAll(t, f, t.TempDir(), "-timeout", "100ms")
			if err == nil || !strings.Contains(err.Error(),
				"no answer within -timeout 100ms") {
				t.Errorf("got %q, want it to point at -timeout", err)
			}
			if err != nil && strings.Contains(err.Error(), "is the server running") {
				t.Errorf("got %q: the server is running", err)
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
			t.Errorf("got %q, want the hint to start the server", err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error %q shows the key", err)
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
