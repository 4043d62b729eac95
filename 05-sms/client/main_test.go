package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

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
		if status/100 == 3 { // a redirect: to another place on the same server
			w.Header().Set("Location", "/elsewhere")
		}
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

// errText is err's text for a failure message, through quote: what came
// from the network in it cannot drive the terminal, even when the program
// under test forgot to quote it, and a nil error reads <nil>.
func errText(err error) string { return quote(fmt.Sprint(err)) }

var env = map[string]string{"SMS_ACCOUNT": "C12345", "SMS_APIKEY": "s3cret-key"}

// secretFlags are the ways to run the client that could show a secret.
var secretFlags = [][]string{nil, {"-plain-key"}, {"-v"}, {"-v", "-plain-key"}}

func TestSecrets(t *testing.T) {
	// Whatever happens, neither the key nor the password is printed, with
	// -v or without.
	for _, reply := range []string{jsonOK, `{"code":405,"msg":"bad key"}`, "oops"} {
		f := newFakeGateway(t, 200, "application/json", reply)
		for _, extra := range secretFlags {
			flags := append([]string{"-mobile", "13812345678"}, extra...)
			stdout, stderr, err := sendSMS(t, f.srv.URL, env, flags...)
			all := stdout + stderr + fmt.Sprint(err)
			password := f.posted()[len(f.posted())-1].Get("password")
			if strings.Contains(all, "s3cret-key") || strings.Contains(all, password) {
				t.Errorf("reply %q, flags %v: output %q shows a secret", reply, extra, all)
			}
		}
	}

	// run writes only to the stdout and stderr it is given, which is
	// what the cases above see. A program that wrote to os.Stdout would
	// pass them: the program itself, built and run, must keep the
	// secrets too.
	t.Run("the built program prints no secret either", func(t *testing.T) {
		t.Setenv("SMS_ACCOUNT", env["SMS_ACCOUNT"])
		t.Setenv("SMS_APIKEY", env["SMS_APIKEY"])
		bin := loopback.Build(t, ".")
		f := newFakeGateway(t, 200, "application/json", jsonOK)
		for _, extra := range secretFlags {
			args := append([]string{"-gateway", f.srv.URL,
				"-mobile", "13812345678"}, extra...)
			stdout, stderr, err := loopback.Run(t, bin, args...)
			if err != nil {
				t.Fatalf("flags %v: %s; stderr %q", extra, errText(err), stderr)
			}
			password := f.posted()[len(f.posted())-1].Get("password")
			checkHidden(t, stdout+stderr, env["SMS_APIKEY"], password)
		}
	})
}
