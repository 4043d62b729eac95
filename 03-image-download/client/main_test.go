package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"netprog/internal/loopback"
)

// tinyPNG is a valid 2×2 PNG.
var tinyPNG = func() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		panic(err) // encoding a 2×2 image in memory cannot fail
	}
	return buf.Bytes()
}()

// fakeAPI is a picture API for tests. It answers /meinv/ with reply (or
// with a list of links to /pics/NAME for names), and /pics/NAME with the
// picture handler.
type fakeAPI struct {
	reply   string            // the API's JSON; made from names if empty
	names   []string          // pictures to list, as paths under /pics/
	picture http.HandlerFunc  // serves /pics/; tinyPNG if nil
	gotKey  chan string       // receives the key of each API call, if set
	other   http.HandlerFunc  // if set, it answers every request instead
	env     map[string]string // the client's environment

	url       string            // where the fake is: set by start
	transport http.RoundTripper // set by startInBubble: how to reach it
}

func (f *fakeAPI) handler() http.Handler {
	if f.other != nil {
		return f.other
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /meinv/", func(w http.ResponseWriter, r *http.Request) {
		if f.gotKey != nil {
			f.gotKey <- r.URL.Query().Get("key")
		}
		reply := f.reply
		if reply == "" {
			reply = listReply(f.url, f.names)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, reply)
	})
	mux.HandleFunc("GET /pics/", func(w http.ResponseWriter, r *http.Request) {
		if f.picture != nil {
			f.picture(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(tinyPNG)
	})
	return mux
}

// start serves the fake on a loopback port until the test ends.
func (f *fakeAPI) start(tb testing.TB) *fakeAPI {
	tb.Helper()
	srv := httptest.NewServer(f.handler())
	tb.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// startInBubble serves the fake over in-memory connections, for a test
// inside a testing/synctest bubble, and must be called there. In the
// bubble the clock is fake and moves only when every goroutine waits: a
// test of a timeout takes no time, and a busy machine cannot make a
// well-behaved peer late.
func (f *fakeAPI) startInBubble(t *testing.T) *fakeAPI {
	t.Helper()
	ln := loopback.NewPipeListener()
	srv := &http.Server{Handler: f.handler()}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln) // ErrServerClosed once the test ends
	}()
	tr := &http.Transport{DialContext: ln.DialContext}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		_ = srv.Close() // closes ln and every connection
		<-served
	})
	f.url = "http://" + ln.Addr().String()
	f.transport = tr
	return f
}

// listReply is a successful API answer listing base/pics/NAME for names.
func listReply(base string, names []string) string {
	type item struct {
		PicURL string `json:"picUrl"`
	}
	list := []item{}
	for _, n := range names {
		list = append(list, item{base + "/pics/" + n})
	}
	b, err := json.Marshal(map[string]any{"code": 200, "msg": "success", "newslist": list})
	if err != nil {
		panic(err) // strings and numbers always marshal
	}
	return string(b)
}

// fetchAll runs the client against the fake with -out dir and more flags,
// and returns what it printed and its error.
func fetchAll(tb testing.TB, f *fakeAPI, dir string, flags ...string) (string, error) {
	tb.Helper()
	return downloadCtx(context.Background(), tb, f,
		append([]string{"-out", dir}, flags...)...)
}

// downloadCtx runs the client against the fake with flags, and f.env,
// until ctx ends; it returns what it printed and its error.
func downloadCtx(ctx context.Context, tb testing.TB, f *fakeAPI,
	flags ...string) (string, error) {
	tb.Helper()
	// Progress (stderr) and the summary (stdout) in one: the client
	// writes both from one goroutine.
	var out bytes.Buffer
	args := append([]string{"-api", f.url + "/meinv/"}, flags...)
	getenv := func(k string) string { return f.env[k] }
	cfg, err := parseFlags(args, getenv, &out)
	if err != nil {
		return out.String(), err
	}
	cfg.transport = f.transport // nil: the system's network
	err = runWith(ctx, cfg, &out, &out)
	return out.String(), err
}

// testFiles returns the names of the files in dir, sorted.
func testFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestDownload(t *testing.T) {
	t.Run("saves every picture and says so", func(t *testing.T) {
		f := (&fakeAPI{names: []string{"1.png", "2.png", "3.png"}}).start(t)
		dir := t.TempDir()
		out, err := fetchAll(t, f, dir, "-num", "3")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"1.png", "2.png", "3.png"}
		if got := testFiles(t, dir); !slices.Equal(got, want) {
			t.Errorf("got files %q, want %q", got, want)
		}
		size := fmt.Sprintf("(%d bytes)", len(tinyPNG))
		lines := []string{"[1/3] saved ", "[3/3] saved ", size, "3 saved, 0 failed"}
		for _, want := range lines {
			if !strings.Contains(out, want) {
				t.Errorf("output %q does not contain %q", out, want)
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, "2.png"))
		if err != nil || !bytes.Equal(data, tinyPNG) {
			t.Errorf("2.png holds %d bytes, %v; want the picture", len(data), err)
		}
	})

	shapes := map[string]string{
		"the list at the top": `{"code":200,"msg":"success",
			"newslist":[{"picUrl":"/pics/a.png"}]}`,
		"the list under result": `{"code":200,"msg":"success",
			"result":{"newslist":[{"picUrl":"/pics/a.png"}]}}`,
		"the newer API's result.list": `{"code":200,"msg":"success",
			"result":{"curpage":1,"allnum":1,"list":[{"picUrl":"/pics/a.png"}]}}`,
	}
	for name, reply := range shapes {
		t.Run("takes "+name+", with a relative link", func(t *testing.T) {
			f := (&fakeAPI{reply: reply}).start(t)
			dir := t.TempDir()
			if _, err := fetchAll(t, f, dir); err != nil {
				t.Fatal(err)
			}
			if got := testFiles(t, dir); !slices.Equal(got, []string{"a.png"}) {
				t.Errorf("got files %q, want [a.png]", got)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	bad := [][]string{
		{"-num", "0"}, {"-num", "51"}, {"-workers", "0"}, {"-timeout", "0s"},
		{"-max-size", "0"}, {"-max-size", "20MB"}, {"-api", "ftp://example.com/"},
		{"-api", "::"}, {"-nope"}, {"extra"},
	}
	for _, args := range bad {
		t.Run(strings.Join(args, " ")+" is bad usage", func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), args, func(string) string { return "" },
				io.Discard, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %q, want errUsage", fmt.Sprint(err))
			}
			if !strings.Contains(stderr.String(), "usage: client") {
				t.Errorf("got stderr %q, want the usage", stderr.String())
			}
		})
	}
	t.Run("-max-size 20MiB is 20 MiB", func(t *testing.T) {
		cfg, err := parseFlags([]string{"-max-size", "20MiB"},
			func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatalf("got %q, want no error", err)
		}
		if cfg.maxSize != 20<<20 {
			t.Errorf("got -max-size %d, want %d", cfg.maxSize, 20<<20)
		}
	})
}

func TestStaleFiles(t *testing.T) {
	tests := []struct {
		name  string
		stale int    // temporary files older than an hour
		want  string // the line the client prints, if any
	}{
		{"no stale file, no line", 0, ""},
		{"one stale file is removed, and said so", 1,
			"removed 1 stale temporary file from "},
		{"three stale files are removed, and said so", 3,
			"removed 3 stale temporary files from "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			old := time.Now().Add(-2 * time.Hour)
			for i := range tc.stale {
				path := filepath.Join(dir, ".incoming-OLD"+string(rune('A'+i))+".part")
				if err := os.WriteFile(path, []byte("half"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Chtimes(path, old, old); err != nil {
					t.Fatal(err)
				}
			}
			// A copy of the client that is saving right now.
			fresh := ".incoming-NEW.part"
			if err := os.WriteFile(filepath.Join(dir, fresh), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			f := (&fakeAPI{names: []string{"a.png"}}).start(t)
			out, err := fetchAll(t, f, dir, "-num", "1")
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Count(out, "stale temporary")
			switch {
			case tc.want == "" && got != 0:
				t.Errorf("output %q mentions stale files, want no line", out)
			case tc.want != "" && (got != 1 || !strings.Contains(out, tc.want+dir+"\n")):
				t.Errorf("output %q, want one line %q", out, tc.want+dir)
			}
			want := []string{fresh, "a.png"}
			if got := testFiles(t, dir); !slices.Equal(got, want) {
				t.Errorf("got files %q, want %q", got, want)
			}
		})
	}
}
