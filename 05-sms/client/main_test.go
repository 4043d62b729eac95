package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
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

// errText is err's text for a failure message, in Go's quoted form: what
// came from the network in it cannot drive the terminal, even when the
// program under test forgot to quote it, and a nil error reads "<nil>".
func errText(err error) string { return strconv.Quote(fmt.Sprint(err)) }

var env = map[string]string{"SMS_ACCOUNT": "C12345", "SMS_APIKEY": "s3cret-key"}

// secretFlags are the ways to run the client that could show a secret.
var secretFlags = [][]string{nil, {"-plain-key"}, {"-v"}, {"-v", "-plain-key"}}

func TestSecrets(t *testing.T) {
	// Whatever happens, neither the key nor the password is printed, with
	// -v or without. Each leak is one line; the first output, once.
	var first string
	for _, answer := range []struct{ name, reply string }{
		{"code 2", jsonOK}, {"code 405", `{"code":405,"msg":"bad key"}`},
		{"neither JSON nor XML", "oops"},
	} {
		f := newFakeGateway(t, 200, "application/json", answer.reply)
		for _, extra := range secretFlags {
			flags := append([]string{"-mobile", "13812345678"}, extra...)
			stdout, stderr, err := sendSMS(t, f.srv.URL, env, flags...)
			all := stdout + stderr
			if err != nil {
				all += err.Error() + "\n"
			}
			password := f.posted()[len(f.posted())-1].Get("password")
			for _, leak := range leaks(all, env["SMS_APIKEY"], password) {
				t.Errorf("flags %q, the gateway's answer %s: the program "+
					"printed %s", extra, answer.name, leak)
				first = cmp.Or(first, all)
			}
		}
	}
	if first != "" {
		t.Logf("what it printed, the first time:\n%s", testLines(first))
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
			found := leaks(stdout+stderr, env["SMS_APIKEY"], password)
			if len(found) > 0 {
				t.Fatalf("flags %q: the program printed %s; what it "+
					"printed:\n%s", extra, strings.Join(found, ", and "),
					testLines(stdout+stderr))
			}
		}
	})
}

// leaks says which of the key and the password posted out shows, in
// any of the forms secretForm looks for: "the key (s3cret-key)".
func leaks(out, key, password string) []string {
	var found []string
	for _, s := range []struct{ name, value string }{
		{"the key", key}, {"the signature", password},
	} {
		if s.name == "the signature" && s.value == key {
			continue // -plain-key: the password is the key
		}
		if form := secretForm(out, s.value); form != "" {
			found = append(found, fmt.Sprintf("%s (%s)", s.name, form))
		}
	}
	return found
}

// checkNoLeak fails the test if out shows the key or the password
// posted, and then shows out once, a line at a time.
func checkNoLeak(tb testing.TB, out, key, password string) {
	tb.Helper()
	if found := leaks(out, key, password); len(found) > 0 {
		tb.Errorf("the program printed %s; what it printed:\n%s",
			strings.Join(found, ", and "), testLines(out))
	}
}

// echoGateway answers every post with reply, in which %[1]s is the
// password posted, as it is, and %[2]s the same, escaped as in a form.
func echoGateway(tb testing.TB, status int, ctype, reply string) string {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		password := r.PostFormValue("password")
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, reply, password, url.QueryEscape(password))
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

func TestEchoedSecrets(t *testing.T) {
	// A gateway may echo what it was sent, the key with it when the key
	// is the password (-plain-key): what the client prints hides it, as
	// -v does, and so does -v, whatever the gateway's answer.
	jsonType := "application/json"
	echoes := []struct {
		name, ctype, reply string
		status             int
	}{
		{"in the msg of an error", jsonType,
			`{"code":405,"msg":"wrong key %[1]s"}`, 200},
		{"escaped, in the msg of an error", jsonType,
			`{"code":405,"msg":"wrong key %[2]s"}`, 200},
		{"as the smsid of a success", jsonType,
			`{"code":2,"msg":"ok","smsid":"%[1]s"}`, 200},
		{"in a form, in the page of an HTTP error", "text/plain",
			"bad form: account=C12345&Password=%[2]s&mobile=1", 500},
		{"in an answer that is not the gateway's", "text/plain",
			"you sent %[1]s, or %[2]s", 200},
	}
	for _, tc := range echoes {
		for _, flags := range [][]string{{"-plain-key"}, {"-plain-key", "-v"}} {
			t.Run(fmt.Sprintf("a key echoed %s is hidden, with %s", tc.name,
				strings.Join(flags, " ")),
				func(t *testing.T) {
					gateway := echoGateway(t, tc.status, tc.ctype, tc.reply)
					stdout, stderr, err := sendSMS(t, gateway, secretEnv,
						append(flags, "-mobile", "13812345678")...)
					checkNoLeak(t, stdout+stderr+fmt.Sprint(err),
						secretEnv["SMS_APIKEY"], "")
				})
		}
	}

	t.Run("a signature echoed as a password= field is hidden",
		func(t *testing.T) {
			gateway := echoGateway(t, 200, jsonType,
				`{"code":405,"msg":"bad PASSWORD=%[1]s"}`)
			stdout, stderr, err := sendSMS(t, gateway, secretEnv,
				"-mobile", "13812345678")
			out := stdout + stderr + fmt.Sprint(err)
			if !strings.Contains(out, "PASSWORD=<hidden>") {
				t.Errorf("got %q, want PASSWORD=<hidden> in it", out)
			}
		})
}
