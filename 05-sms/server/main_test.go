package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"netprog/internal/loopback"
)

func TestServer(t *testing.T) {
	t.Run("serves over HTTP and stops on cancel", func(t *testing.T) {
		env := map[string]string{"SMS_APIKEY": "s3cret-key"}
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
			"-account", "C123"}, env)
		form := signed("s3cret-key", time.Now(), "account", "C123")
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.PostForm("http://"+p.Addr+target, form)
		if err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		res := decodeJSON(t, resp)
		_ = resp.Body.Close()
		checkCode(t, res, 2)
		if err := p.Stop(); err != nil {
			t.Errorf("Stop: got %s, want nil", errText(err))
		}
		want := "138****5678 (smsid " + res.SMSID + "): " + strconv.Quote(content) + "\n"
		if p.Stdout() != want {
			t.Errorf("got stdout %q, want %q", p.Stdout(), want)
		}
		if !strings.Contains(p.Stderr(), "(account C123, key from SMS_APIKEY)") {
			t.Errorf("got stderr %q, want it to say where the key is from",
				p.Stderr())
		}
		for _, s := range []string{"s3cret-key", form.Get("password")} {
			if strings.Contains(p.Stdout()+p.Stderr(), s) {
				t.Errorf("%q printed: stdout %q, stderr %q", s, p.Stdout(),
					p.Stderr())
			}
		}
	})

	t.Run("without SMS_APIKEY the key is demo-key, and it says so",
		func(t *testing.T) {
			p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0"}, nil)
			if !strings.Contains(p.Stderr(), "key demo-key") {
				t.Errorf("got stderr %q, want it to name demo-key", p.Stderr())
			}
		})

	t.Run("the log holds no message text and no whole number",
		func(t *testing.T) {
			// Whoever runs the gateway reads its log: the people the
			// messages go to are none of its business.
			p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0"}, nil)
			bad := "1391234567" // one digit short: code 406
			postAll(t, p.Addr, nil, goodForm(), goodForm("mobile", bad))
			if err := p.Stop(); err != nil {
				t.Fatalf("Stop: got %s, want nil", errText(err))
			}
			for _, s := range []string{number, bad, content} {
				if strings.Contains(p.Stderr(), s) {
					t.Errorf("the log shows %q", s)
				}
			}
			if !strings.Contains(p.Stderr(), " 138****5678 code 2 ") {
				t.Error("the log lacks the masked number, 138****5678")
			}
			if t.Failed() {
				t.Logf("the log:\n%s", p.Stderr())
			}
		})

	t.Run("a port in use is an error, not bad usage", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		t.Cleanup(func() { _ = ln.Close() })
		err = run(t.Context(), []string{"-addr", ln.Addr().String()},
			func(string) string { return "" }, io.Discard, io.Discard)
		inUse := errors.Is(err, syscall.EADDRINUSE) ||
			errors.Is(err, wsaeaddrinuse) // Windows' code for it
		if !inUse || errors.Is(err, errUsage) {
			t.Errorf("got %s, want address in use", errText(err))
		}
		if err != nil && !strings.Contains(err.Error(), "another program") {
			t.Errorf("got %s, want a hint on what to do", errText(err))
		}
	})
}

// BenchmarkSubmit measures messages a second over loopback HTTP, with
// clients in parallel, through serve: the program's own server, its
// timeouts and its cap on connections. The gateway's clock moves a day
// at each reading, so the rate limits never refuse.
func BenchmarkSubmit(b *testing.B) {
	var days atomic.Int64
	g := newGateway("demo", "demo-key", io.Discard, log.New(io.Discard, "", 0))
	g.now = func() time.Time { return start.AddDate(0, 0, int(days.Add(1))) }
	benchPosts(b, func(ctx context.Context, ln net.Listener) error {
		return serve(ctx, ln, newServer(g.handler(),
			log.New(io.Discard, "", 0)), 256)
	})
}

// BenchmarkBareHTTP is the floor BenchmarkSubmit stands on: a bare
// http.Server whose handler reads the form and answers code 2, nothing
// checked, nothing printed.
func BenchmarkBareHTTP(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // the form is read, as the gateway reads it
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"code":2,"msg":"ok","smsid":"1"}`)
	})
	benchPosts(b, func(ctx context.Context, ln net.Listener) error {
		srv := &http.Server{Handler: h}
		defer context.AfterFunc(ctx, func() { _ = srv.Close() })()
		return srv.Serve(ln)
	})
}

// benchPosts posts a good form to what serve serves on a loopback
// listener until ctx ends, 4 clients per core at once, each answer
// checked, and reports the answers a second.
func benchPosts(b *testing.B, serve func(context.Context, net.Listener) error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln) }()
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	defer func() {
		transport.CloseIdleConnections()
		cancel()
		<-done
	}()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + target
	body := goodForm().Encode()
	b.SetParallelism(4) // RunParallel, not b.Loop: clients at once
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(url,
				"application/x-www-form-urlencoded", strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			var res result
			err = json.NewDecoder(resp.Body).Decode(&res)
			_ = resp.Body.Close()
			if err != nil || res.Code != 2 {
				b.Errorf("got %q, code %d, %q", resp.Status, res.Code, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
