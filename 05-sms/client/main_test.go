package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// fakeGateway records each form posted to it and answers with reply.
type fakeGateway struct {
	mu     sync.Mutex
	forms  []url.Values
	header http.Header
	srv    *httptest.Server
}

func newFakeGateway(tb testing.TB, status int, ctype, reply string) *fakeGateway {
	tb.Helper()
	f := &fakeGateway{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.forms = append(f.forms, r.PostForm)
		f.header = r.Header.Clone()
		f.mu.Unlock()
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGateway) posted() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

const jsonOK = `{"code":2,"msg":"submitted","smsid":"16032876789012345"}`

// sendSMS runs the client against url with env and flags, and returns
// stdout, stderr and its error.
func sendSMS(tb testing.TB, gateway string, env map[string]string,
	flags ...string) (string, string, error) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"-gateway", gateway}, flags...)
	err := run(context.Background(), args, func(k string) string { return env[k] },
		&stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

var env = map[string]string{"SMS_ACCOUNT": "C12345", "SMS_APIKEY": "s3cret-key"}

func TestForm(t *testing.T) {
	t.Run("posts the fields, with a dynamic password that checks out", func(t *testing.T) {
		f := newFakeGateway(t, 200, "application/json", jsonOK)
		if _, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "+8613812345678",
			"-content", "你好, 1+1=2 & more"); err != nil {
			t.Fatal(err)
		}
		forms := f.posted()
		if len(forms) != 1 {
			t.Fatalf("got %d posts, want 1", len(forms))
		}
		form := forms[0]
		want := map[string]string{"account": "C12345", "mobile": "13812345678",
			"content": "你好, 1+1=2 & more", "format": "json"}
		for k, v := range want {
			if got := form.Get(k); got != v {
				t.Errorf("%s: got %q, want %q", k, got, v)
			}
		}
		sum := md5.Sum([]byte("C12345" + "s3cret-key" + "13812345678" +
			form.Get("content") + form.Get("time")))
		if got := form.Get("password"); got != hex.EncodeToString(sum[:]) {
			t.Errorf("password %q is not md5(account+key+mobile+content+time)", got)
		}
		if ct := f.header.Get("Content-Type"); !strings.HasPrefix(ct,
			"application/x-www-form-urlencoded") {
			t.Errorf("Content-Type: got %q", ct)
		}
	})

	t.Run("-plain-key sends the key itself", func(t *testing.T) {
		f := newFakeGateway(t, 200, "application/json", jsonOK)
		if _, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678",
			"-plain-key"); err != nil {
			t.Fatal(err)
		}
		form := f.posted()[0]
		if form.Get("password") != "s3cret-key" || form.Has("time") {
			t.Errorf("got password %q, time %q; want the key, no time",
				form.Get("password"), form.Get("time"))
		}
	})

	t.Run("the default content has a fresh 6-digit code", func(t *testing.T) {
		f := newFakeGateway(t, 200, "application/json", jsonOK)
		for range 2 {
			if _, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678"); err != nil {
				t.Fatal(err)
			}
		}
		code := regexp.MustCompile(`code is: (\d{6})\.`)
		forms := f.posted()
		a := code.FindStringSubmatch(forms[0].Get("content"))
		b := code.FindStringSubmatch(forms[1].Get("content"))
		if a == nil || b == nil {
			t.Fatalf("got %q and %q, want a 6-digit code in each",
				forms[0].Get("content"), forms[1].Get("content"))
		}
		if a[1] == "147258" {
			t.Error("the code is the tutorial's fixed one")
		}
	})
}

func TestAnswers(t *testing.T) {
	t.Run("code 2 in JSON prints the masked number and the smsid", func(t *testing.T) {
		f := newFakeGateway(t, 200, "application/json", jsonOK)
		stdout, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678")
		if err != nil {
			t.Fatal(err)
		}
		if want := "sent to 138****5678, smsid 16032876789012345\n"; stdout != want {
			t.Errorf("got %q, want %q", stdout, want)
		}
	})

	t.Run("code 2 in XML is read too", func(t *testing.T) {
		xmlOK := `<?xml version="1.0" encoding="utf-8"?>
<SubmitResult xmlns="http://106.ihuyi.com/"><code>2</code><msg>ok</msg><smsid>77</smsid></SubmitResult>`
		f := newFakeGateway(t, 200, "text/xml", xmlOK)
		stdout, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678")
		if err != nil || stdout != "sent to 138****5678, smsid 77\n" {
			t.Errorf("got %q, %q", stdout, err)
		}
	})

	codes := []struct{ code, want string }{
		{"0", "code 0: nope"},
		{"400", "this IP address"},
		{"401", "-account or SMS_ACCOUNT"},
		{"402", "SMS_APIKEY"},
		{"403", "the number is empty"},
		{"404", "the content is empty"},
		{"405", "check the API ID (-account, SMS_ACCOUNT) and the key (SMS_APIKEY)"},
		{"406", "check -mobile"},
		{"407", "refuses"},
		{"4073", "too long"},
		{"4080", "wait a moment"},
		{"4085", "daily limit"},
	}
	for _, tc := range codes {
		t.Run(fmt.Sprintf("code %s is an error with a hint", tc.code), func(t *testing.T) {
			reply := fmt.Sprintf(`{"code":%s,"msg":"nope","smsid":"0"}`, tc.code)
			f := newFakeGateway(t, 200, "application/json", reply)
			stdout, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678")
			if err == nil || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "code "+tc.code) {
				t.Errorf("got %q, want code %s and %q", err, tc.code, tc.want)
			}
			if stdout != "" {
				t.Errorf("printed %q, want nothing", stdout)
			}
		})
	}

	failures := []struct {
		name, ctype, reply string
		status             int
		want               string
	}{
		{"an HTML page", "text/html", "<html><body>Gateway maintenance</body></html>", 200,
			"the gateway answered 200 OK, but the answer is not the gateway's XML"},
		{"an HTML error page", "text/html", "<html><body>Bad Gateway</body></html>", 502,
			`the gateway answered 502 Bad Gateway: <html><body>Bad Gateway`},
		{"a redirect, which would post the form again", "text/html", "moved", 307,
			"the gateway answered 307 Temporary Redirect"},
		{"a code that is not a number", "text/xml",
			"<SubmitResult><code>\nclient: fake\n405</code></SubmitResult>", 200,
			"is not a number"},
		{"an answer over 64 KiB", "application/json",
			`{"code":2,"msg":"` + strings.Repeat("x", 70<<10) + `"}`, 200,
			"more than 64 KiB"},
		{"plain text", "text/plain", "hello", 200, `neither JSON nor XML: hello`},
		{"HTTP 500", "text/plain", "database down", 500,
			`the gateway answered 500 Internal Server Error: database down`},
		{"JSON without a code", "application/json", `{"msg":"?"}`, 200, "no code"},
	}
	for _, tc := range failures {
		t.Run(tc.name+" is an error that shows it, sent once only", func(t *testing.T) {
			f := newFakeGateway(t, tc.status, tc.ctype, tc.reply)
			_, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want %q", err, tc.want)
			}
			if n := len(f.posted()); n != 1 {
				t.Errorf("got %d posts, want 1: a send is never retried", n)
			}
		})
	}

	// Time is what this case is about: in a synctest bubble the clock
	// is fake and moves only when every goroutine in it waits, so the
	// 10-second timeout takes no time at all, and a busy machine cannot
	// make it pass or fail. The gateway is an http.Server on a pipe
	// listener: real sockets have no place in a bubble.
	t.Run("a gateway that never answers times out", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			pl := loopback.NewPipeListener()
			srv := &http.Server{Handler: http.HandlerFunc(func(
				w http.ResponseWriter, r *http.Request) {
				// Read the form first: only then does the server notice
				// that the client has gone, and end the context.
				_, _ = io.Copy(io.Discard, r.Body)
				<-r.Context().Done()
			})}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(pl) }()

			cfg, err := parseFlags([]string{"-mobile", "13812345678"},
				func(k string) string { return env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			client := newClient(cfg.timeout)
			transport := &http.Transport{DialContext: pl.DialContext}
			client.Transport = transport
			var stdout bytes.Buffer
			start := time.Now()
			err = cfg.send(context.Background(), client, &stdout)
			if elapsed := time.Since(start); elapsed != 10*time.Second {
				t.Errorf("gave up after %v, want the default -timeout, 10s",
					elapsed)
			}
			if err == nil || !strings.Contains(err.Error(), "no answer in time") ||
				!strings.Contains(err.Error(), "may still have been sent") {
				t.Errorf("got %q, want a timeout that may have sent", err)
			}
			if stdout.Len() > 0 {
				t.Errorf("printed %q, want nothing", stdout.String())
			}
			transport.CloseIdleConnections()
			_ = srv.Close() // ends the handler, if the client did not
			<-served
		})
	})

	t.Run("a refused connection says to start the gateway", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		_, _, err = sendSMS(t, "http://"+addr+"/webservice/sms.php?method=Submit",
			env, "-mobile", "13812345678")
		refused := errors.Is(err, syscall.ECONNREFUSED) ||
			errors.Is(err, wsaeconnrefused) // Windows' code for it
		if !refused || !strings.Contains(err.Error(), "is the gateway running?") {
			t.Errorf("got %q, want connection refused, and the hint", err)
		}
	})
}

func TestSecrets(t *testing.T) {
	// Whatever happens, neither the key nor the password is printed.
	for _, reply := range []string{jsonOK, `{"code":405,"msg":"bad key"}`, "oops"} {
		f := newFakeGateway(t, 200, "application/json", reply)
		for _, extra := range [][]string{nil, {"-plain-key"}} {
			flags := append([]string{"-mobile", "13812345678"}, extra...)
			stdout, stderr, err := sendSMS(t, f.srv.URL, env, flags...)
			all := stdout + stderr + fmt.Sprint(err)
			password := f.posted()[len(f.posted())-1].Get("password")
			if strings.Contains(all, "s3cret-key") || strings.Contains(all, password) {
				t.Errorf("reply %q, flags %v: output %q shows a secret", reply, extra, all)
			}
		}
	}
}

func TestBadUsage(t *testing.T) {
	f := newFakeGateway(t, 200, "application/json", jsonOK)
	bad := [][]string{
		{}, {"-mobile", "12345"}, {"-mobile", "23812345678"},
		{"-mobile", "1381234567x"}, {"-mobile", "+85213812345678"},
		{"-mobile", "1381234567"}, {"-mobile", "+868613812345678"},
		{"-mobile", "13812345678", "-timeout", "0s"},
		{"-mobile", "13812345678", "-gateway", "ftp://x/"},
		{"-mobile", "13812345678", "extra"},
	}
	for _, args := range bad {
		t.Run(fmt.Sprintf("%q is bad usage, and nothing is posted", args), func(t *testing.T) {
			_, stderr, err := sendSMS(t, f.srv.URL, env, args...)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
			if !strings.Contains(stderr, "usage: client") {
				t.Errorf("stderr %q lacks the usage", stderr)
			}
		})
	}
	if n := len(f.posted()); n != 0 {
		t.Errorf("got %d posts, want none", n)
	}
}

func FuzzNormalizeMobile(f *testing.F) {
	for _, s := range []string{"13812345678", "+8613812345678", "8613812345678",
		"86123456789", "1381234567", "+86+8613812345678", "１３８１２３４５６７８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := normalizeMobile(s)
		if err != nil {
			return
		}
		if len(n) != 11 || n[0] != '1' || strings.Trim(n, "0123456789") != "" {
			t.Errorf("normalizeMobile(%q) = %q, want 11 digits starting with 1", s, n)
		}
		if !strings.HasSuffix(s, n) {
			t.Errorf("normalizeMobile(%q) = %q, not the end of what was given", s, n)
		}
		if m := mask(n); len(m) != 11 || m[3:7] != "****" {
			t.Errorf("mask(%q) = %q", n, m)
		}
	})
}

// FuzzParseResult checks the reading of the gateway's answer: what it
// accepts has a code that is a number, and what it refuses, it says so
// with nothing in the message that could drive a terminal.
func FuzzParseResult(f *testing.F) {
	for _, s := range []string{jsonOK, `{"code":"405","msg":"bad"}`,
		`<SubmitResult><code>2</code><smsid>7</smsid></SubmitResult>`,
		`<html>`, `{"code":"2\u001b"}`, "<a\u009b>", "\x1b[2J", `{"msg":1}`,
		`<SubmitResult><code>2&#13;</code></SubmitResult>`, ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		res, err := parseResult([]byte(body))
		if err != nil {
			if strings.ContainsFunc(err.Error(), func(r rune) bool {
				return !strconv.IsPrint(r)
			}) {
				t.Fatalf("parseResult(%q): error %q holds a control character",
					body, err)
			}
			return
		}
		if _, convErr := strconv.Atoi(res.Code); convErr != nil {
			t.Fatalf("parseResult(%q) = code %q, want a number", body, res.Code)
		}
	})
}
