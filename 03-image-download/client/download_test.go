package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
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
	out, err := fetchAll(t, f, dir, "-num", "15", "-max-size", "1KiB")

	if err == nil || err.Error() != "7 of 15 pictures failed" {
		t.Errorf("got %q, want 7 of 15 pictures failed", fmt.Sprint(err))
	}
	wantLines := []string{
		"missing.png: 404 Not Found",
		"page.png: not a picture (text/html)",
		"huge.png: 4.9 KiB is larger than -max-size 1 KiB",
		"huge-stream.png: larger than -max-size 1 KiB",
		"slow.png: no complete answer within -timeout 30s",
		"liar.png: not a picture (text/html)",
		"empty.png: empty body, not a picture",
		"8 saved, 7 failed",
	}
	for _, want := range wantLines {
		if !strings.Contains(out, want) {
			t.Errorf("output does not contain %q:\n%q", want, out)
		}
	}
	// These are named by their place in the list: 12 is "..", 13 holds
	// slashes once unescaped, 14 a backslash, 15 an escape sequence.
	want := []string{"12.png", "13.png", "14.png", "15.png", "blob.png",
		"dup-1.png", "dup.png", "good.png"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Errorf("got files %q, want %q", got, want)
	}
	if got := files(t, parent); !slices.Equal(got, []string{"out"}) {
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

func TestWorkers(t *testing.T) {
	t.Run("never more requests in flight than -workers", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			const workers = 3
			var (
				mu       sync.Mutex
				inFlight int
				most     int
			)
			release := make(chan struct{})
			picture := func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				mu.Unlock()
				<-release // hold every request until the test has counted
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
			f := (&fakeAPI{names: names, picture: picture}).startInBubble(t)
			errc := make(chan error, 1)
			go func() {
				_, err := fetchAll(t, f, t.TempDir(), "-num", "12",
					"-workers", strconv.Itoa(workers))
				errc <- err
			}()
			// Wait returns when every goroutine of the test is stuck: the
			// client has sent every request it will send before one is
			// answered. An unbounded client would have sent all 12.
			synctest.Wait()
			mu.Lock()
			waiting := inFlight
			mu.Unlock()
			close(release)
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if waiting != workers {
				t.Errorf("got %d requests at once, want %d", waiting, workers)
			}
			mu.Lock()
			defer mu.Unlock()
			if most != workers {
				t.Errorf("got at most %d requests at once, want %d", most, workers)
			}
		})
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
		_, err := downloadCtx(ctx, t, f, dir, nil, "-num", "3")
		if err == nil || err.Error() != "interrupted" {
			t.Errorf("got %q, want interrupted", fmt.Sprint(err))
		}
		if got := files(t, dir); len(got) != 0 {
			t.Errorf("got files %q, want none", got)
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
