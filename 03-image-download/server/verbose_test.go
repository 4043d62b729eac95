package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"netprog/internal/loopback"
)

// key is a distinctive API key, with characters that a URL escapes.
const key = "s3cr3t/K+y&z=1"

// getAll gets each of targets from the server at addr, with header set
// in each request, and returns the bodies.
func getAll(tb testing.TB, addr string, header http.Header,
	targets ...string) []string {
	tb.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	var bodies []string
	for _, target := range targets {
		req, err := http.NewRequest(http.MethodGet, "http://"+addr+target, nil)
		if err != nil {
			tb.Fatal(err)
		}
		req.Header = header
		resp, err := client.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			tb.Fatalf("GET %s: got %q, %v; want 200 OK", target, resp.Status, err)
		}
		bodies = append(bodies, string(body))
	}
	return bodies
}

func TestVerbose(t *testing.T) {
	list := "/meinv/?key=" + url.QueryEscape(key) + "&num=1"

	t.Run("-v shows each request and its answer, the key hidden",
		func(t *testing.T) {
			p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
				"-count", "1", "-key", key, "-v"}, nil)
			bodies := getAll(t, p.Addr, nil, list, "/images/1.png")
			if err := p.Stop(); err != nil {
				t.Fatal(err)
			}
			stderr := p.Stderr()
			all := p.Stdout() + stderr
			checkOutput(t, all, []string{key},
				shown("C:", "GET /meinv/?key=<hidden>&num=1 HTTP/1.1\r\n"),
				shown("C:", "Host: "+p.Addr+"\r\n"), shown("C:", "\r\n"),
				shown("S:", "HTTP/1.1 200 OK\r\n"),
				shown("S:", "Content-Type: application/json; charset=utf-8\r\n"),
				shown("S:", "\r\n"),
				` S: "{\"code\":200,\"msg\":\"success\",\"newslist\":[`,
				shown("C:", "GET /images/1.png HTTP/1.1\r\n"),
				shown("S:", "HTTP/1.1 200 OK\r\n"),
				shown("S:", "Content-Type: image/png\r\n"),
				fmt.Sprintf(" S: <%d bytes of image/png>\n", len(bodies[1])))
			// Every line of it starts with the client's address, the same
			// for both requests: the client kept its connection open.
			lines := tapLine.FindAllStringSubmatch(stderr, -1)
			for _, m := range lines {
				if !strings.HasPrefix(m[1], "127.0.0.1:") || m[1] != lines[0][1] {
					t.Errorf("got a line starting %q, want the address of "+
						"the client's one connection, %q", m[0], lines[0][1])
					break
				}
			}
			showIfFailed(t, all)
		})

	t.Run("a wrong key is hidden too", func(t *testing.T) {
		const wrong = "wr0ng/K+y&z=2"
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
			"-count", "1", "-key", key, "-v"}, nil)
		bodies := getAll(t, p.Addr, nil, "/meinv/?key="+url.QueryEscape(wrong)+"&num=1")
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(bodies[0], `"code":230`) {
			t.Errorf("got %q, want code 230", bodies[0])
		}
		all := p.Stdout() + p.Stderr()
		checkOutput(t, all, []string{key, wrong},
			shown("C:", "GET /meinv/?key=<hidden>&num=1 HTTP/1.1\r\n"))
		showIfFailed(t, all)
	})

	t.Run("without -v nothing of the conversation is printed",
		func(t *testing.T) {
			p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
				"-count", "1", "-key", key}, nil)
			getAll(t, p.Addr, nil, list, "/images/1.png")
			if err := p.Stop(); err != nil {
				t.Fatal(err)
			}
			if out := p.Stdout() + p.Stderr(); tapLine.MatchString(out) {
				t.Errorf("without -v, the server printed lines of the " +
					"conversation")
				showIfFailed(t, out)
			}
		})
}

func TestVerboseHead(t *testing.T) {
	// The answer to a HEAD has the headers a GET would get, and no body.
	p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
		"-count", "1", "-v"}, nil)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Head(
		"http://" + p.Addr + "/images/1.png")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, p.Stderr(), nil, shown("C:", "HEAD /images/1.png HTTP/1.1\r\n"),
		shown("S:", "Content-Type: image/png\r\n"), shown("S:", "\r\n"))
	showIfFailed(t, p.Stderr())
	if strings.Contains(p.Stderr(), "bytes of image/png") {
		t.Errorf("got %q, want no body shown", p.Stderr())
	}
}

func TestVerboseQuotes(t *testing.T) {
	// A header may hold any visible character, U+202E included, which
	// shows the text after it backwards: "abc\u202egnp.exe" would show
	// as "abcexe.png".
	p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
		"-count", "1", "-v"}, nil)
	getAll(t, p.Addr, http.Header{"X-Evil": {"abc\u202egnp.exe"}},
		"/images/1.png")
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	checkOutput(t, p.Stderr(), nil, ` C: "X-Evil: abc\u202egnp.exe\r\n"`+"\n")
	showIfFailed(t, p.Stderr())
	if strings.Contains(p.Stderr(), "\u202e") {
		t.Errorf("got %q, want no U+202E as it is", p.Stderr())
	}
}
