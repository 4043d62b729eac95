package main

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestIdlePeers checks that a peer that holds a slot without doing work
// loses it.
func TestIdlePeers(t *testing.T) {
	request := "GET /meinv/?key=demo&num=1 HTTP/1.1\r\nHost: x\r\n\r\n"
	timeouts := []struct {
		name   string
		send   string // what the peer sends, then it is silent
		answer bool   // whether it reads an answer first
		want   time.Duration
	}{
		{"a peer that sends nothing is cut off after 5s", "", false,
			readHeaderTimeout},
		{"a peer that sends half a request is cut off after 5s",
			request[:len(request)-2], false, readHeaderTimeout},
		{"a peer silent after its answer is cut off after 10s", request, true,
			idleTimeout},
	}
	for _, tc := range timeouts {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := serveInBubble(t, newAPI(t, 1), 2, io.Discard)
				conn, err := s.ln.Dial()
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				if _, err := io.WriteString(conn, tc.send); err != nil {
					t.Fatal(err)
				}
				r := bufio.NewReader(conn)
				if tc.answer {
					resp, err := http.ReadResponse(r, nil)
					if err != nil {
						t.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body) // read to its end
					_ = resp.Body.Close()
				}
				start := time.Now()
				extra, _ := io.ReadAll(r) // until the server hangs up
				if took := time.Since(start); took != tc.want {
					t.Errorf("the server hung up after %v, want %v", took, tc.want)
				}
				if len(extra) > 0 && !strings.HasPrefix(string(extra), "HTTP/1.1 408") {
					t.Errorf("the server sent %q, want nothing or a 408", extra)
				}
			})
		})
	}
}
