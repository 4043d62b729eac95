package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestBadPictures(t *testing.T) {
	// In a bubble, so that slow.png's timeout takes no time and a busy
	// machine cannot make a good picture late.
	synctest.Test(t, testBadPictures)
}

func testBadPictures(t *testing.T) {
	// The good pictures must be saved, the bad ones reported, and
	// nothing else left.
	names := []string{
		"good.png", "missing.png", "page.png", "huge.png", "huge-stream.png",
		"slow.png", "blob", "liar.png", "empty.png",
		"x/dup.png", "y/dup.png", // the same base name twice
		"%2e%2e",               // ".." once unescaped
		"..%2F..%2Fescape.png", // "../../escape.png" once unescaped
		`a%5Cb.png`,            // a backslash
		"%1B%5B31mred.png",     // a terminal escape
	}
	f := (&fakeAPI{names: names, picture: troublePicture}).startInBubble(t)
	// The output folder is one level down, so that an escape would show.
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	out, err := downloadWithin(t, f, "-out", dir, "-num", "15",
		"-max-size", "1KiB")

	// Each bad picture fails with why, in a line of its own.
	wantLines := []string{
		`missing.png": "404 Not Found"`,
		`page.png": not a picture (text/html)`,
		"huge.png\": 5000 bytes is larger than -max-size 1024",
		"huge-stream.png\": larger than -max-size 1024",
		`slow.png": no complete answer within -timeout 30s`,
		`liar.png": not a picture (text/html)`,
		`empty.png": empty body, not a picture`,
		"8 saved, 7 failed",
	}
	// These are named by their place in the list: 12 is "..", 13 holds
	// slashes once unescaped, 14 a backslash, 15 an escape sequence.
	want := []string{"12.png", "13.png", "14.png", "15.png", "blob.png",
		"dup-1.png", "dup.png", "good.png"}
	got := testFiles(t, dir)
	for _, name := range got {
		if !slices.Contains(want, name) {
			t.Errorf("the folder holds %q, which should not be there", name)
		}
	}
	for _, name := range want {
		if !slices.Contains(got, name) {
			t.Errorf("the folder has no %q, want it saved", name)
		}
	}
	missing := false
	for _, line := range wantLines {
		if !strings.Contains(out, line) {
			t.Errorf("no line of the output says %q", line)
			missing = true
		}
	}
	if err == nil || err.Error() != "7 of 15 pictures failed" {
		t.Errorf("the client returned %q, want 7 of 15 pictures failed",
			fmt.Sprint(err))
	}
	if missing {
		t.Logf("the output:\n%s", testLines(out))
	}
	if got := testFiles(t, parent); !slices.Equal(got, []string{"out"}) {
		t.Errorf("the parent holds %q, want out alone", got)
	}
}

// troublePicture serves testBadPictures' pictures: one good picture, and
// one of each kind of trouble, by name.
func troublePicture(w http.ResponseWriter, r *http.Request) {
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
			`failed "file:///etc/passwd": not an http or https link`,
			`failed "ftp://127.0.0.1/a.png": not an http or https link`,
			`failed "": not a link to a picture`,
			`failed "?...": not a link to a picture`,
			`/pics/missing.png?...": "404 Not Found"`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output %q does not contain %q", out, want)
			}
		}
		if strings.Contains(out, "SECRET123") {
			t.Errorf("output %q shows a link's query", out)
		}
		if got := testFiles(t, dir); !slices.Equal(got, []string{"a.png"}) {
			t.Errorf("got files %q, want [a.png]", got)
		}
	})
}

// TestInterrupt checks what Ctrl-C leaves behind.
func TestInterrupt(t *testing.T) {
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
		_, err := downloadCtx(ctx, t, f, "-out", dir, "-num", "3")
		if err == nil || err.Error() != "interrupted" {
			t.Errorf("got %q, want interrupted", fmt.Sprint(err))
		}
		if got := testFiles(t, dir); len(got) != 0 {
			t.Errorf("got files %q, want none", got)
		}
	})
}

func TestNames(t *testing.T) {
	t.Run("a name is handed out once, whatever its case", func(t *testing.T) {
		var s sync.Map
		got := []string{take(&s, "a.png"), take(&s, "a.png"), take(&s, "A.png"),
			take(&s, "b")}
		want := []string{"a.png", "a-1.png", "A-2.png", "b"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
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
		{"http://h/pics/%E3%85%A4", "image/png", "7.png"},
		{"http://h/pics/%E1%85%A0%E1%85%A0.png", "image/png", "7.png"},
		{"http://h/pics/cat.png.", "image/png", "cat.png.png"},
		{"http://h/pics/x?name=../../evil.png", "image/png", "x.png"},
		// Names that Windows cannot hold get the number on every system,
		// so a list saves the same everywhere.
		{"http://h/pics/a%3Cb.png", "image/png", "7.png"},
		{"http://h/pics/a%3Eb.png", "image/png", "7.png"},
		{"http://h/pics/a%22b.png", "image/png", "7.png"},
		{"http://h/pics/a%7Cb.png", "image/png", "7.png"},
		{"http://h/pics/x%3F.png", "image/png", "7.png"},
		{"http://h/pics/a*.png", "image/png", "7.png"},
		{"http://h/pics/a:b.png", "image/png", "7.png"},
		{"http://h/pics/CON.png", "image/png", "7.png"},
		{"http://h/pics/nul", "image/png", "7.png"},
		{"http://h/pics/aux.tar.png", "image/png", "7.png"},
		{"http://h/pics/com1.png", "image/png", "7.png"},
		{"http://h/pics/lpt9.png", "image/png", "7.png"},
		{"http://h/pics/console.png", "image/png", "console.png"},
		{"http://h/pics/cat%20.png", "image/png", "cat .png"},
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
		if safeName(name) != nil || !strings.HasSuffix(strings.ToLower(name), ".png") {
			t.Errorf("fileName(%q) = %q, want a safe name ending in .png", p, name)
		}
		if filepath.Base(name) != name {
			t.Errorf("fileName(%q) = %q, which is a path", p, name)
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
			// -overwrite: each round saves the same 40 files again,
			// rather than 40 more under new names.
			args := []string{"-api", f.url + "/meinv/", "-out", b.TempDir(),
				"-num", "40", "-workers", workers, "-overwrite"}
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
			args := []string{"-api", f.url + "/meinv/", "-out", b.TempDir(),
				"-num", "4", "-max-size", "100000000", "-overwrite"} // as above
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
