package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"

	"netprog/internal/loopback"
)

// secretEnv holds a distinctive API key, with characters that a form
// escapes.
var secretEnv = map[string]string{"SMS_ACCOUNT": "C12345",
	"SMS_APIKEY": "s3cr3t/K+y&z=1"}

// checkShows fails the test unless out, what -v printed, holds each of
// want, each after the one before it; it names the first missing, then
// shows out once, a line at a time.
func checkShows(tb testing.TB, out string, want ...string) {
	tb.Helper()
	checkOutput(tb, out, nil, want...)
	showIfFailed(tb, out)
}

func TestVerbose(t *testing.T) {
	for name, flags := range map[string][]string{"signed": nil,
		"the key itself": {"-plain-key"}} {
		t.Run("-v shows the form and the answer, the password hidden: "+
			name, func(t *testing.T) { testVerboseShowsForm(t, flags) })
	}

	t.Run("-v shows an XML answer line by line", func(t *testing.T) {
		reply := `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
			`<SubmitResult><code>2</code><smsid>7</smsid></SubmitResult>`
		f := newFakeGateway(t, http.StatusOK, "text/xml", reply)
		_, stderr, err := sendSMS(t, f.srv.URL, secretEnv, "-v",
			"-mobile", "13812345678")
		if err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		checkShows(t, stderr, shown("S:", "Content-Type: text/xml\r\n"),
			shown("S:", "\r\n"),
			shown("S:", `<?xml version="1.0" encoding="utf-8"?>`+"\n"),
			shown("S:", "<SubmitResult><code>2</code><smsid>7</smsid></SubmitResult>"))
	})

	t.Run("without -v nothing of the conversation is printed",
		func(t *testing.T) {
			f := newFakeGateway(t, http.StatusOK, "application/json", jsonOK)
			stdout, stderr, err := sendSMS(t, f.srv.URL, secretEnv,
				"-mobile", "13812345678")
			if err != nil {
				t.Fatalf("got %s, want no error", errText(err))
			}
			if tapLine.MatchString(stdout + stderr) {
				t.Errorf("got %q, %q; want no line of the conversation",
					stdout, stderr)
			}
		})

	t.Run("a post that cannot be sent says so", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close() // now nothing listens there
		_, stderr, err := sendSMS(t, srv.URL, secretEnv, "-v",
			"-mobile", "13812345678")
		if !refused(err) { // each system words it its own way
			t.Fatalf("got %s, want connection refused", errText(err))
		}
		checkShows(t, stderr, "* not sent: ")
		if strings.Contains(stderr, "C: ") {
			t.Errorf("got %q, want no request shown: none was sent", stderr)
		}
		checkNoLeak(t, stderr+err.Error(), secretEnv["SMS_APIKEY"], "")
	})
}

// testVerboseShowsForm: with -v and flags, the form and the answer are
// on stderr in order, and neither the key nor the password is anywhere.
func testVerboseShowsForm(t *testing.T, flags []string) {
	f := newFakeGateway(t, http.StatusOK, "application/json", jsonOK)
	flags = append([]string{"-v", "-mobile", "13812345678",
		"-content", "你好 & welcome"}, flags...)
	stdout, stderr, err := sendSMS(t, f.srv.URL, secretEnv, flags...)
	if err != nil {
		t.Fatalf("got %s, want no error", errText(err))
	}
	checkShows(t, stderr, "* new connection ",
		shown("C:", "POST / HTTP/1.1\r\n"),
		shown("C:", "Content-Type: application/x-www-form-urlencoded; "+
			"charset=utf-8\r\n"),
		shown("C:", "\r\n"),
		`C: "account=C12345&content=%E4%BD%A0%E5%A5%BD+%26+welcome&`+
			`format=json&mobile=13812345678&password=<hidden>`,
		shown("S:", "HTTP/1.1 200 OK\r\n"),
		shown("S:", "Content-Type: application/json\r\n"),
		shown("S:", "\r\n"), `S: "{\"code\":2,\"msg\":\"submitted\",`)
	checkNoLeak(t, stdout+stderr, secretEnv["SMS_APIKEY"],
		f.posted()[0].Get("password"))
}

func TestVerboseNoAnswer(t *testing.T) {
	// The post went out, and no answer came: the message may have been
	// sent. -v shows the post, then that no answer came.
	synctest.Test(t, func(t *testing.T) {
		pl := loopback.NewPipeListener()
		srv := &http.Server{Handler: http.HandlerFunc(func(
			w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // then it notices the client go
			<-r.Context().Done()
		})}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(pl) }()

		cfg, err := parseFlags([]string{"-mobile", "13812345678", "-v"},
			func(k string) string { return secretEnv[k] }, io.Discard)
		if err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		var stderr strings.Builder
		transport := &http.Transport{DialContext: pl.DialContext}
		client := newClient(cfg.timeout)
		client.Transport = tapTransport(transport, log.New(&stderr, "", 0),
			"password")
		defer func() { // also after t.Fatal, so that the bubble ends
			transport.CloseIdleConnections()
			_ = srv.Close() // ends the handler, if the client did not
			<-served
		}()
		err = sendWithin(t, cfg, client, io.Discard)
		if err == nil {
			t.Error("got no error, want a timeout")
		}
		checkShows(t, stderr.String(), "* new connection ",
			shown("C:", "POST /webservice/sms.php?method=Submit HTTP/1.1\r\n"),
			"&password=<hidden>&", "* no answer: ")
		if strings.Contains(stderr.String(), "S: ") {
			t.Errorf("got %q, want no answer shown", stderr.String())
		}
		checkNoLeak(t, stderr.String()+fmt.Sprint(err), secretEnv["SMS_APIKEY"], "")
	})
}

func TestVerboseTLS(t *testing.T) {
	t.Run("-v says which TLS the connection uses", func(t *testing.T) {
		srv := httptest.NewTLSServer(http.HandlerFunc(func(
			w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, jsonOK)
		}))
		t.Cleanup(srv.Close)
		cfg, err := parseFlags([]string{"-mobile", "13812345678",
			"-gateway", srv.URL}, func(k string) string { return secretEnv[k] },
			io.Discard)
		if err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		var stderr loopback.Buffer
		client := newClient(cfg.timeout)
		client.Transport = tapTransport(srv.Client().Transport,
			log.New(&stderr, "", 0), "password")
		if err := cfg.send(t.Context(), client, io.Discard); err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		checkShows(t, stderr.String(), "* new connection ", ", TLS 1.3, TLS_",
			shown("C:", "POST / HTTP/1.1\r\n"), shown("S:", "HTTP/1.1 200 OK\r\n"))
	})

	t.Run("a refused certificate's names are shown quoted", func(t *testing.T) {
		stderr, _ := refusedCertificate(t, true)
		checkShows(t, stderr, "* not sent: ", `\x1b[2J\x1b[1;32msent`)
		if strings.Contains(stderr, "\x1b") {
			t.Errorf("got %q, want no escape as it is", stderr)
		}
	})
}

func TestVerboseQuotes(t *testing.T) {
	// A header may hold any visible character, U+202E included, which
	// shows the text after it backwards: "abc\u202egnp.exe" would show
	// as "abcexe.png".
	gateway := rawGateway(t, "HTTP/1.1 503 \x1b[2JOK\r\n"+
		"X-Evil: abc\u202egnp.exe\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	_, stderr, err := sendSMS(t, gateway, secretEnv, "-v", "-mobile", "13812345678")
	if err == nil {
		t.Fatal("got no error, want the 503")
	}
	checkShows(t, stderr, `S: "HTTP/1.1 503 \x1b[2JOK\r\n"`+"\n",
		`S: "X-Evil: abc\u202egnp.exe\r\n"`+"\n")
	if strings.ContainsAny(stderr, "\x1b\u202e") {
		t.Errorf("got %q, want no escape and no U+202E as it is", stderr)
	}
}
