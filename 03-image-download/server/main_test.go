package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"netprog/internal/loopback"
)

// newAPI returns the handler of an api with count pictures and key "demo".
func newAPI(t *testing.T, count int) http.Handler {
	t.Helper()
	return testAPI(t, count, 0).handler()
}

// testAPI returns an api with count pictures and key "demo", each picture
// taking delay.
func testAPI(tb testing.TB, count int, delay time.Duration) *api {
	tb.Helper()
	pics, err := drawPictures(count)
	if err != nil {
		tb.Fatal(err)
	}
	return &api{key: "demo", pictures: pics, delay: delay,
		log: log.New(io.Discard, "", 0)}
}

// local is where the server seems to be in tests that call its handler:
// the address the connections come in on, as an http.Server tells its
// handlers.
var local = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8000}

// get sends the handler a GET for target, as a client would that reached
// the server at local and wrote host in its Host header, and returns the
// response.
func get(h http.Handler, host, target string) *http.Response {
	return getAt(h, local, host, target)
}

// getAt is get for a server at the address at.
func getAt(h http.Handler, at net.Addr, host, target string) *http.Response {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Host = host
	req = req.WithContext(context.WithValue(req.Context(),
		http.LocalAddrContextKey, at))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

type listReply struct {
	Code     int    `json:"code"`
	Msg      string `json:"msg"`
	Newslist []item `json:"newslist"`
}

func getList(t *testing.T, h http.Handler, host, target string) listReply {
	t.Helper()
	return decodeList(t, target, get(h, host, target))
}

// decodeList reads resp, the answer to a GET for target, as a list.
func decodeList(t *testing.T, target string, resp *http.Response) listReply {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: got %q, want 200 OK (the code is in the JSON)",
			target, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: got Content-Type %q, want application/json", target, ct)
	}
	var reply listReply
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		t.Fatalf("GET %s: answer is not JSON: %v", target, err)
	}
	return reply
}

func TestAPICodes(t *testing.T) {
	h := newAPI(t, 1)
	tests := []struct {
		name   string
		target string
		code   int
		count  int
	}{
		{"a good key and num list num pictures", "/meinv/?key=demo&num=10", 200, 10},
		{"num 50 is the most", "/meinv/?key=demo&num=50", 200, 50},
		{"a wrong key is code 230", "/meinv/?key=guess&num=10", 230, 0},
		{"a missing key is code 230", "/meinv/?num=10", 230, 0},
		{"an empty key is code 230", "/meinv/?key=&num=10", 230, 0},
		{"a missing num is code 280", "/meinv/?key=demo", 280, 0},
		{"num that is not a number is code 270", "/meinv/?key=demo&num=ten", 270, 0},
		{"num 0 is code 270", "/meinv/?key=demo&num=0", 270, 0},
		{"num 51 is code 270", "/meinv/?key=demo&num=51", 270, 0},
		{"an empty num is code 270", "/meinv/?key=demo&num=", 270, 0},
		// A number has one spelling: digits, no sign, no leading zero.
		{"num +5 is code 270", "/meinv/?key=demo&num=%2B5", 270, 0},
		{"num 05 is code 270", "/meinv/?key=demo&num=05", 270, 0},
		{"num 0x5 is code 270", "/meinv/?key=demo&num=0x5", 270, 0},
		{"num with a space is code 270", "/meinv/?key=demo&num=5%20", 270, 0},
		{"num -0 is code 270", "/meinv/?key=demo&num=-0", 270, 0},
		{"num past int64 is code 270", "/meinv/?key=demo&num=99999999999999999999", 270, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply := getList(t, h, "127.0.0.1:8000", tc.target)
			if reply.Code != tc.code {
				t.Errorf("got code %d (%q), want %d", reply.Code, reply.Msg, tc.code)
			}
			if reply.Msg == "" {
				t.Error("got no msg, want one")
			}
			if len(reply.Newslist) != tc.count {
				t.Errorf("got %d pictures, want %d", len(reply.Newslist), tc.count)
			}
		})
	}
}

func TestAPIList(t *testing.T) {
	h := newAPI(t, 3)
	links := []struct {
		name string
		at   string // where the connection came in
		host string // what the client wrote in Host
		want string
	}{
		{"picUrl is the server's address", "127.0.0.1:5555", "127.0.0.1:5555",
			"http://127.0.0.1:5555/images/1.png"},
		{"picUrl is the server's address, not the Host header",
			"127.0.0.1:5555", "evil.example:666",
			"http://127.0.0.1:5555/images/1.png"},
		{"picUrl is the server's address, also with no Host header",
			"[::1]:80", "", "http://[::1]:80/images/1.png"},
		{"picUrl is the address a client on the network reached",
			"192.0.2.7:8000", "localhost:8000", "http://192.0.2.7:8000/images/1.png"},
	}
	for _, tc := range links {
		t.Run(tc.name, func(t *testing.T) {
			at, err := net.ResolveTCPAddr("tcp", tc.at)
			if err != nil {
				t.Fatal(err)
			}
			const target = "/meinv/?key=demo&num=2"
			reply := decodeList(t, target, getAt(h, at, tc.host, target))
			if len(reply.Newslist) != 2 {
				t.Fatalf("got %d pictures, want 2", len(reply.Newslist))
			}
			it := reply.Newslist[0]
			if it.PicURL != tc.want || it.URL != tc.want {
				t.Errorf("got picUrl %q and url %q, want %q", it.PicURL, it.URL, tc.want)
			}
		})
	}

	t.Run("every item has the real API's fields", func(t *testing.T) {
		reply := getList(t, h, "127.0.0.1:8000", "/meinv/?key=demo&num=1")
		if len(reply.Newslist) != 1 {
			t.Fatalf("got %d pictures, want 1", len(reply.Newslist))
		}
		it := reply.Newslist[0]
		if it.Ctime == "" || it.Title == "" || it.Description == "" || it.URL == "" {
			t.Errorf("got %+v, want every field filled", it)
		}
	})

	t.Run("more than count pictures repeats them", func(t *testing.T) {
		reply := getList(t, h, "h", "/meinv/?key=demo&num=5")
		var got []string
		for _, it := range reply.Newslist {
			got = append(got, strings.TrimPrefix(it.PicURL,
				"http://127.0.0.1:8000/images/"))
		}
		want := "1.png 2.png 3.png 1.png 2.png"
		if strings.Join(got, " ") != want {
			t.Errorf("got %v, want %s", got, want)
		}
	})
}

func TestAPIPictures(t *testing.T) {
	h := newAPI(t, 5)
	t.Run("every picture is a distinct PNG", func(t *testing.T) {
		seen := map[string]int{}
		for n := 1; n <= 5; n++ {
			target := "/images/" + strconv.Itoa(n) + ".png"
			resp := get(h, "h", target)
			body, _ := io.ReadAll(resp.Body) // a recorder's body never fails
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: got %q, want 200", target, resp.Status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "image/png" {
				t.Errorf("GET %s: got Content-Type %q, want image/png", target, ct)
			}
			if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
				t.Errorf("GET %s: got Content-Length %q for %d bytes", target, cl, len(body))
			}
			if _, err := png.Decode(bytes.NewReader(body)); err != nil {
				t.Errorf("GET %s: not a PNG: %v", target, err)
			}
			if m, dup := seen[string(body)]; dup {
				t.Errorf("picture %d is the same as picture %d", n, m)
			}
			seen[string(body)] = n
		}
	})

	notFound := []string{"/images/0.png", "/images/6.png", "/images/01.png",
		"/images/1.jpg", "/images/x.png", "/images/", "/", "/meinv/extra",
		"/images/-1.png", "/images/+1.png", "/images/1.0.png", "/images/%201.png"}
	for _, target := range notFound {
		t.Run(target+" is 404", func(t *testing.T) {
			if resp := get(h, "h", target); resp.StatusCode != http.StatusNotFound {
				t.Errorf("got %q, want 404 Not Found", resp.Status)
			}
		})
	}

	t.Run("POST is not allowed", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/meinv/?key=demo&num=1", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("got %d, want 405", rec.Code)
		}
	})
}

func TestServer(t *testing.T) {
	t.Run("serves over HTTP and stops on cancel", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-count", "2"}, nil)
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.Get("http://" + p.Addr + "/meinv/?key=demo&num=2")
		if err != nil {
			t.Fatal(err)
		}
		var reply listReply
		err = json.NewDecoder(resp.Body).Decode(&reply)
		_ = resp.Body.Close()
		if err != nil || reply.Code != 200 || len(reply.Newslist) != 2 {
			t.Fatalf("got %+v, %v; want code 200 and 2 pictures", reply, err)
		}
		pic, err := client.Get(reply.Newslist[1].PicURL)
		if err != nil {
			t.Fatal(err)
		}
		_, err = png.Decode(pic.Body)
		_ = pic.Body.Close()
		if err != nil {
			t.Errorf("picture 2 is not a PNG: %v", err)
		}
		if err := p.Stop(); err != nil {
			t.Errorf("Stop: got %v, want nil", err)
		}
	})

	t.Run("links point at the port it listens on, whatever Host says",
		func(t *testing.T) {
			p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-count", "1"}, nil)
			req, err := http.NewRequest(http.MethodGet,
				"http://"+p.Addr+"/meinv/?key=demo&num=1", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "evil.example:666"
			resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var reply listReply
			err = json.NewDecoder(resp.Body).Decode(&reply)
			_ = resp.Body.Close()
			if err != nil || len(reply.Newslist) != 1 {
				t.Fatalf("got %+v, %v; want a picture", reply, err)
			}
			want := "http://" + p.Addr + "/images/1.png"
			if got := reply.Newslist[0].PicURL; got != want {
				t.Errorf("got picUrl %q, want %q", got, want)
			}
		})

	bad := [][]string{{"-count", "0"}, {"-count", "101"}, {"-delay", "-1s"},
		{"-delay", "11s"},
		{"-key", ""}, {"-max-conns", "0"}, {"-addr", "127.0.0.1"}, {"extra"}}
	for _, args := range bad {
		t.Run(strings.Join(args, " ")+" is bad usage", func(t *testing.T) {
			err := run(context.Background(), args, nil, io.Discard, io.Discard)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
		})
	}
}

func TestListenError(t *testing.T) {
	t.Run("a port in use says so, and which to try", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		_, port, _ := net.SplitHostPort(ln.Addr().String())
		err = run(context.Background(),
			[]string{"-addr", ln.Addr().String(), "-count", "1"}, nil,
			io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "is using port "+port) {
			t.Errorf("got %q, want it to say that port %s is in use", err, port)
		}
	})
}

// BenchmarkAPI measures requests a second over loopback HTTP, with
// clients in parallel, for a list of 10 pictures and for one picture.
func BenchmarkAPI(b *testing.B) {
	a := testAPI(b, 10, 0)
	srv := httptest.NewServer(a.handler())
	defer srv.Close()
	client := srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	targets := map[string]string{"list": "/meinv/?key=demo&num=10",
		"picture": "/images/3.png"}
	for name, target := range targets {
		b.Run(name, func(b *testing.B) {
			b.SetParallelism(4) // RunParallel, not b.Loop: clients at once
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(srv.URL + target)
					if err != nil {
						b.Error(err)
						return
					}
					_, err = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Errorf("got %q, %v", resp.Status, err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
