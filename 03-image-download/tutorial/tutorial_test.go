// The tutorial's downloader, translated line for line, run against the
// chapter's local picture API, and the flaws it keeps, shown as they are.
package tutorial_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"netprog/internal/loopback"
)

func TestWithThePictureAPI(t *testing.T) {
	t.Run("the literal downloader saves the ten pictures the API lists", func(t *testing.T) {
		api := loopback.BuildAndRun(t, "../server", []string{"-addr", "127.0.0.1:0"})
		out := filepath.Join(t.TempDir(), "downloads")
		url := "http://" + api.Addr + "/meinv/?key=demo&num=10"
		_, stderr, err := loopback.Run(t, loopback.Build(t, "./downloader"), url, out)
		if err != nil {
			t.Fatalf("the downloader failed: %v; stderr %q", err, stderr)
		}
		for i := 1; i <= 10; i++ {
			name := fmt.Sprintf("%d.png", i)
			want := get(t, "http://"+api.Addr+"/images/"+name)
			got, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Errorf("%v, want picture %d there", err, i)
			} else if !bytes.Equal(got, want) {
				t.Errorf("%s: got %d bytes that differ from the API's %d",
					name, len(got), len(want))
			}
		}
		if entries, err := os.ReadDir(out); err != nil || len(entries) != 10 {
			t.Errorf("the folder holds %d files (%v), want 10", len(entries), err)
		}
	})
}

func TestFlaws(t *testing.T) {
	t.Run("the literal downloader saves an error page as a picture", func(t *testing.T) {
		mux := http.NewServeMux()
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		mux.HandleFunc("/meinv/", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"code":200,"newslist":[{"picUrl":"%s/images/1.png"}]}`, srv.URL)
		})
		mux.HandleFunc("/images/", http.NotFound)
		out := t.TempDir()
		_, stderr, err := loopback.Run(t, loopback.Build(t, "./downloader"), srv.URL+"/meinv/", out)
		if err != nil {
			t.Fatalf("the downloader failed: %v; stderr %q", err, stderr)
		}
		got, err := os.ReadFile(filepath.Join(out, "1.png"))
		if want := "404 page not found\n"; err != nil || string(got) != want {
			t.Errorf("1.png holds %q (%v), want the error page %q", got, err, want)
		}
	})

	t.Run("the literal downloader asks for every picture at once",
		testFlawsEveryPictureAtOnce)

	t.Run("the literal downloader waits forever for an API that never answers",
		testFlawsWaitsForever)
}

// testFlawsEveryPictureAtOnce shows the literal downloader starting
// one request for each picture the API lists, all at the same time.
func testFlawsEveryPictureAtOnce(t *testing.T) {
	const n = 30
	var mu sync.Mutex
	asking := 0
	all := make(chan struct{}) // closed when n requests wait together
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.HandleFunc("/meinv/", func(w http.ResponseWriter, r *http.Request) {
		var list []string
		for i := 1; i <= n; i++ {
			list = append(list, fmt.Sprintf(`{"picUrl":"%s/images/%d.png"}`, srv.URL, i))
		}
		fmt.Fprintf(w, `{"code":200,"newslist":[%s]}`, strings.Join(list, ","))
	})
	// No picture is sent until all n are asked for: a downloader
	// that asked a few at a time would wait here, and fail.
	mux.HandleFunc("/images/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if asking++; asking == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
			_, _ = w.Write([]byte("picture"))
		case <-r.Context().Done(): // the downloader was stopped
		}
	})
	out := t.TempDir()
	_, stderr, err := loopback.Run(t, loopback.Build(t, "./downloader"), srv.URL+"/meinv/", out)
	if err != nil {
		t.Fatalf("the downloader failed: %v; stderr %q", err, stderr)
	}
	if entries, err := os.ReadDir(out); err != nil || len(entries) != n {
		t.Errorf("the folder holds %d files (%v), want %d", len(entries), err, n)
	}
}

// silentAPI serves, on loopback, an API that reads a request and never
// answers. asked is closed once it has read the request, hungUp once
// the client has closed its connection (or reset it).
func silentAPI(tb testing.TB) (addr string, asked, hungUp <-chan struct{}) {
	tb.Helper()
	read := make(chan struct{})
	closed := make(chan struct{})
	addr = loopback.Serve(tb, func(conn net.Conn) {
		// Read the request to its blank line, answer nothing, and
		// see when the client gives up.
		br := bufio.NewReader(conn)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
		}
		close(read)
		_, _ = io.Copy(io.Discard, br) // until EOF or a reset
		close(closed)
	})
	return addr, read, closed
}

// testFlawsWaitsForever shows the literal downloader, which sets no
// timeout, still waiting for an API that never answers, until killed.
func testFlawsWaitsForever(t *testing.T) {
	addr, asked, hungUp := silentAPI(t)
	cmd := exec.Command(loopback.Build(t, "./downloader"),
		"http://"+addr+"/meinv/", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error // what Wait returned, once done is closed
	go func() {
		waitErr = cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // it has ended, or the test failed
		<-done
	})

	select {
	case <-asked:
	case <-done:
		t.Fatalf("the downloader ended (%v) before asking", waitErr)
	case <-time.After(10 * time.Second):
		t.Fatal("the downloader sent no request within 10s")
	}
	// Any bound would do here: the downloader has none, and waits.
	select {
	case <-done:
		t.Fatalf("the downloader gave up (%v), want it still waiting", waitErr)
	case <-hungUp:
		t.Fatal("the downloader hung up, want it still waiting")
	case <-time.After(100 * time.Millisecond):
	}
	// Ended by the kill, not on its own. The kill is a signal on Unix,
	// and on Windows TerminateProcess with exit code 1, the code of the
	// downloader's own log.Fatal: what tells them apart everywhere is
	// that Kill found it running (a process that has ended gives
	// os.ErrProcessDone).
	if err := cmd.Process.Kill(); err != nil {
		t.Fatalf("kill: %v, want the downloader still running", err)
	}
	<-done
	var exitErr *exec.ExitError
	if !errors.As(waitErr, &exitErr) || exitErr.Success() {
		t.Errorf("got %v, want the downloader ended by the kill", waitErr)
	}
	// Its connection was open until the kill.
	select {
	case <-hungUp:
	case <-time.After(10 * time.Second):
		t.Error("the connection stayed open 10s after the kill")
	}
}

// get returns the body of a GET of url, from a server that should answer.
func get(tb testing.TB, url string) []byte {
	tb.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %q, %v", url, resp.Status, err)
	}
	return body
}
