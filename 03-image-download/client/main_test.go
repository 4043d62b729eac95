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
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
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
	reply   string           // the API's JSON; made from names if empty
	names   []string         // pictures to list, as paths under /pics/
	picture http.HandlerFunc // serves /pics/; tinyPNG if nil
	gotKey  chan string      // receives the key of each API call, if set
	srv     *httptest.Server // set by start
}

func (f *fakeAPI) start(tb testing.TB) *fakeAPI {
	tb.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /meinv/", func(w http.ResponseWriter, r *http.Request) {
		if f.gotKey != nil {
			f.gotKey <- r.URL.Query().Get("key")
		}
		reply := f.reply
		if reply == "" {
			reply = listReply(f.srv.URL, f.names)
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
	f.srv = httptest.NewServer(mux)
	tb.Cleanup(f.srv.Close)
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
	return downloadCtx(context.Background(), tb, f, dir, nil, flags...)
}

func downloadCtx(ctx context.Context, tb testing.TB, f *fakeAPI, dir string,
	env map[string]string, flags ...string) (string, error) {
	tb.Helper()
	// Progress (stderr) and the summary (stdout) in one: the client
	// writes both from one goroutine.
	var out bytes.Buffer
	args := append([]string{"-api", f.srv.URL + "/meinv/", "-out", dir}, flags...)
	err := run(ctx, args, func(k string) string { return env[k] }, &out, &out)
	return out.String(), err
}

// files returns the names of the files in dir, sorted.
func files(tb testing.TB, dir string) []string {
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
		if got := files(t, dir); !slices.Equal(got, want) {
			t.Errorf("got files %v, want %v", got, want)
		}
		size := fmt.Sprintf("(%d B)", len(tinyPNG))
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
			if got := files(t, dir); !slices.Equal(got, []string{"a.png"}) {
				t.Errorf("got files %v, want [a.png]", got)
			}
		})
	}

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
			t.Errorf("got %v, want 5 of 6 pictures failed", err)
		}
		for _, want := range []string{
			"failed file:///etc/passwd: not an http or https link",
			"failed ftp://127.0.0.1/a.png: not an http or https link",
			`failed "": not a link to a picture`,
			`failed "?...": not a link to a picture`,
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
			t.Errorf("got files %v, want [a.png]", got)
		}
	})

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
			`code 280: "missing num"`},
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
			f := (&fakeAPI{reply: tc.reply}).start(t)
			dir := t.TempDir()
			_, err := downloadCtx(context.Background(), t, f, dir,
				map[string]string{"TIANAPI_KEY": "s3cret"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error %q shows the key", err)
			}
			if got := files(t, dir); len(got) != 0 {
				t.Errorf("got files %v, want none", got)
			}
		})
	}

	t.Run("an HTTP error shows the status, never the key", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(
			func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "upstream down", http.StatusBadGateway)
			}))
		defer srv.Close()
		_, err := downloadCtx(context.Background(), t, &fakeAPI{srv: srv}, t.TempDir(),
			map[string]string{"TIANAPI_KEY": "s3cret"})
		if err == nil || !strings.Contains(err.Error(), "502 Bad Gateway") {
			t.Errorf("got %v, want the status", err)
		}
		if err != nil && !strings.Contains(err.Error(), "key=REDACTED") {
			t.Errorf("got %v, want the URL with the key hidden", err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error %q shows the key", err)
		}
	})

	t.Run("an API that never answers points at -timeout", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(
			func(w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // until the client gives up
			}))
		defer srv.Close()
		_, err := fetchAll(t, &fakeAPI{srv: srv}, t.TempDir(), "-timeout", "100ms")
		if err == nil || !strings.Contains(err.Error(), "no answer within -timeout 100ms") {
			t.Errorf("got %v, want it to point at -timeout", err)
		}
		if err != nil && strings.Contains(err.Error(), "is the server running") {
			t.Errorf("got %v: the server is running", err)
		}
	})

	t.Run("a refused connection says to start the server", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close() // now nothing listens there
		_, err := downloadCtx(context.Background(), t, &fakeAPI{srv: srv}, t.TempDir(),
			map[string]string{"TIANAPI_KEY": "s3cret"})
		if err == nil || !strings.Contains(err.Error(), "is the server running?") {
			t.Errorf("got %v, want the hint to start the server", err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("the error %q shows the key", err)
		}
	})
}

func TestBadPictures(t *testing.T) {
	// One good picture, and one of each kind of trouble. The good ones
	// must be saved, the bad ones reported, and nothing else left.
	picture := func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/pics/missing.png":
			http.NotFound(w, r)
		case "/pics/page.png":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><body>Log in to see pictures</body></html>")
		case "/pics/huge.png":
			w.Header().Set("Content-Type", "image/png")
			w.Header().Set("Content-Length", "5000")
			_, _ = w.Write(bytes.Repeat([]byte{1}, 5000))
		case "/pics/huge-stream.png":
			w.Header().Set("Content-Type", "image/png")
			w.(http.Flusher).Flush() // no length: the client must count
			_, _ = w.Write(bytes.Repeat([]byte{1}, 5000))
		case "/pics/slow.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(tinyPNG[:10])
			w.(http.Flusher).Flush()
			<-r.Context().Done() // never finishes
		case "/pics/liar.png":
			w.Header().Set("Content-Type", "image/png") // but it is a page
			_, _ = io.WriteString(w, "<!DOCTYPE html><html>Log in first</html>")
		case "/pics/empty.png":
			w.Header().Set("Content-Type", "image/png")
		case "/pics/blob":
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(tinyPNG) // a PNG all the same
		default:
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(tinyPNG)
		}
	}
	names := []string{
		"good.png", "missing.png", "page.png", "huge.png", "huge-stream.png",
		"slow.png", "blob", "liar.png", "empty.png",
		"x/dup.png", "y/dup.png", // the same base name twice
		"%2e%2e",               // ".." once unescaped
		"..%2F..%2Fescape.png", // "../../escape.png" once unescaped
		`a%5Cb.png`,            // a backslash
		"%1B%5B31mred.png",     // a terminal escape
	}
	f := (&fakeAPI{names: names, picture: picture}).start(t)
	// The output folder is one level down, so that an escape would show.
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	out, err := fetchAll(t, f, dir, "-num", "15", "-max-size", "1000",
		"-timeout", "200ms")

	if err == nil || err.Error() != "7 of 15 pictures failed" {
		t.Errorf("got %v, want 7 of 15 pictures failed", err)
	}
	wantLines := []string{
		"missing.png: 404 Not Found",
		"page.png: not a picture (text/html)",
		"huge.png: 5.0 KB is larger than -max-size 1.0 KB",
		"huge-stream.png: larger than -max-size 1.0 KB",
		"slow.png: no complete answer within -timeout 200ms",
		"liar.png: not a picture (text/html)",
		"empty.png: empty body, not a picture",
		"8 saved, 7 failed",
	}
	for _, want := range wantLines {
		if !strings.Contains(out, want) {
			t.Errorf("output does not contain %q:\n%s", want, out)
		}
	}
	// These are named by their place in the list: 12 is "..", 13 holds
	// slashes once unescaped, 14 a backslash, 15 an escape sequence.
	want := []string{"12.png", "13.png", "14.png", "15.png", "blob.png",
		"dup-1.png", "dup.png", "good.png"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("got files %v, want %v", got, want)
	}
	if got := files(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Errorf("the parent holds %v, want out alone", got)
	}
}

func TestWorkers(t *testing.T) {
	t.Run("never more requests in flight than -workers", func(t *testing.T) {
		const workers = 3
		var (
			mu       sync.Mutex
			inFlight int
			most     int
		)
		full := make(chan struct{}) // closed when workers are in flight
		over := make(chan struct{}) // closed when more are
		release := make(chan struct{})
		var once, overOnce sync.Once
		picture := func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			if inFlight == workers {
				once.Do(func() { close(full) })
			}
			if inFlight > workers {
				overOnce.Do(func() { close(over) })
			}
			mu.Unlock()
			<-release // hold every request until the test has seen them
			mu.Lock()
			inFlight--
			mu.Unlock()
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(tinyPNG)
		}
		names := make([]string, 12)
		for i := range names {
			names[i] = fmt.Sprintf("%d.png", i+1)
		}
		f := (&fakeAPI{names: names, picture: picture}).start(t)
		go func() {
			select {
			case <-full:
			case <-time.After(5 * time.Second): // too few at once: fail below
			}
			// With the bound full, give an unbounded client a moment
			// to send one request more. A bounded one sends none.
			select {
			case <-over:
			case <-time.After(50 * time.Millisecond):
			}
			close(release)
		}()
		if _, err := fetchAll(t, f, t.TempDir(), "-num", "12", "-workers", "3"); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if most != workers {
			t.Errorf("got at most %d requests at once, want %d", most, workers)
		}
	})

	t.Run("Ctrl-C mid-way leaves no partial file", func(t *testing.T) {
		started := make(chan struct{})
		var once sync.Once
		picture := func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(tinyPNG[:20])
			w.(http.Flusher).Flush()
			once.Do(func() { close(started) })
			<-r.Context().Done()
		}
		names := []string{"a.png", "b.png", "c.png"}
		f := (&fakeAPI{names: names, picture: picture}).start(t)
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-started
			cancel()
		}()
		dir := t.TempDir()
		_, err := downloadCtx(ctx, t, f, dir, nil, "-num", "3")
		if err == nil || err.Error() != "interrupted" {
			t.Errorf("got %v, want interrupted", err)
		}
		if got := files(t, dir); len(got) != 0 {
			t.Errorf("got files %v, want none", got)
		}
	})
}

func TestFlags(t *testing.T) {
	bad := [][]string{
		{"-num", "0"}, {"-num", "51"}, {"-workers", "0"}, {"-timeout", "0s"},
		{"-max-size", "0"}, {"-api", "ftp://example.com/"}, {"-api", "::"},
		{"-nope"}, {"extra"},
	}
	for _, args := range bad {
		t.Run(strings.Join(args, " ")+" is bad usage", func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), args, func(string) string { return "" },
				io.Discard, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
			if !strings.Contains(stderr.String(), "usage: client") {
				t.Errorf("got stderr %q, want the usage", stderr.String())
			}
		})
	}
}

func TestNames(t *testing.T) {
	t.Run("a name is handed out once, whatever its case", func(t *testing.T) {
		s := &nameSet{taken: map[string]bool{}}
		got := []string{s.claim("a.png"), s.claim("a.png"), s.claim("A.png"),
			s.claim("b")}
		want := []string{"a.png", "a-1.png", "A-2.png", "b"}
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	})

	names := []struct{ link, ctype, want string }{
		{"http://h/pics/cat.png", "image/png", "cat.png"},
		{"http://h/pics/cat.png", "image/jpeg", "cat.jpg"},
		{"http://h/pics/cat", "image/gif", "cat.gif"},
		{"http://h/pics/%E7%8C%AB.png", "image/png", "猫.png"},
		{"http://h/pics/a%2Fb.png", "image/png", "7.png"},
		{"http://h/pics/dir/", "image/png", "7.png"},
		{"http://h/", "image/png", "7.png"},
		{"http://h/pics/.hidden.png", "image/png", "7.png"},
		{"http://h/pics/%E2%80%AEgnp.exe", "image/png", "7.png"},
		{"http://h/pics/cat.png.", "image/png", "cat.png.png"},
		{"http://h/pics/x?name=../../evil.png", "image/png", "x.png"},
	}
	for _, tc := range names {
		t.Run(fmt.Sprintf("%s as %s is saved as %s", tc.link, tc.ctype, tc.want),
			func(t *testing.T) {
				u, err := url.Parse(tc.link)
				if err != nil {
					t.Fatal(err)
				}
				if got := fileName(u, 6, tc.ctype); got != tc.want {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			})
	}
}

func TestSaveAtomic(t *testing.T) {
	root, err := os.OpenRoot(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := root.WriteFile("a.png", []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("connection reset")
	err = saveAtomic(root, "a.png", func(w io.Writer) error {
		_, _ = w.Write([]byte("half a pic")) // some bytes, then trouble
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want %v", err, boom)
	}
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "a.png" {
		t.Errorf("the folder holds %v, want a.png alone", entries)
	}
	if data, _ := root.ReadFile("a.png"); string(data) != "old" {
		t.Errorf("a.png holds %q, want the old %q", data, "old")
	}
}

func FuzzFileName(f *testing.F) {
	for _, seed := range []string{"pics/cat.png", "a%2Fb.png", "%2e%2e", "dir/",
		"%E2%80%AEgnp.exe", "x.png.", "%00", ".bashrc", "CON", "a%5Cb"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		u, err := url.Parse("http://h/" + p)
		if err != nil {
			return
		}
		name := fileName(u, 0, "image/png")
		if !safeName(name) || !strings.HasSuffix(strings.ToLower(name), ".png") {
			t.Errorf("fileName(%q) = %q, want a safe name ending in .png", p, name)
		}
		if filepath.Base(name) != name {
			t.Errorf("fileName(%q) = %q, which is a path", p, name)
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

// BenchmarkWorkers downloads 40 pictures that each take 100ms to arrive,
// with 1, 4 and 8 workers: about 4s, 1s and 0.5s.
func BenchmarkWorkers(b *testing.B) {
	picture := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(100 * time.Millisecond):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(tinyPNG)
	}
	names := make([]string, 40)
	for i := range names {
		names[i] = fmt.Sprintf("%d.png", i+1)
	}
	for _, workers := range []string{"1", "4", "8"} {
		b.Run("workers="+workers, func(b *testing.B) {
			f := (&fakeAPI{names: names, picture: picture}).start(b)
			args := []string{"-api", f.srv.URL + "/meinv/", "-out", b.TempDir(),
				"-num", "40", "-workers", workers}
			for b.Loop() {
				if err := run(context.Background(), args, func(string) string { return "" },
					io.Discard, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPictureSize downloads 4 pictures of 1 MiB, then of 16 MiB:
// the bytes allocated (-benchmem) stay about the same, since pictures are
// streamed to disk.
func BenchmarkPictureSize(b *testing.B) {
	for _, size := range []int{1 << 20, 16 << 20} {
		b.Run(fmt.Sprintf("%dMiB", size>>20), func(b *testing.B) {
			body := append(slices.Clip(tinyPNG), make([]byte, size-len(tinyPNG))...)
			picture := func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "image/png")
				_, _ = w.Write(body)
			}
			f := (&fakeAPI{names: []string{"a.png", "b.png", "c.png", "d.png"},
				picture: picture}).start(b)
			args := []string{"-api", f.srv.URL + "/meinv/", "-out", b.TempDir(),
				"-num", "4", "-max-size", "100000000"}
			b.SetBytes(int64(4 * size))
			b.ReportAllocs()
			for b.Loop() {
				if err := run(context.Background(), args, func(string) string { return "" },
					io.Discard, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
