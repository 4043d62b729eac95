package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"netprog/internal/loopback"
)

// key is a distinctive API key, with characters that a form escapes.
const key = "s3cr3t/K+y&z=1"

// postAll posts each form to the gateway at addr, with header set in
// each request, and fails the test unless each is answered 200 OK.
func postAll(tb testing.TB, addr string, header http.Header, forms ...url.Values) {
	tb.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	for _, form := range forms {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+target,
			strings.NewReader(form.Encode()))
		if err != nil {
			tb.Fatalf("got %s, want no error", errText(err))
		}
		for name, values := range header {
			req.Header[name] = values
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			tb.Fatalf("got %s, want no error", errText(err))
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			tb.Fatalf("got %q, want 200 OK", resp.Status)
		}
	}
}

// verboseSetup returns what TestVerbose's cases share: the gateway's
// environment and flags, and two forms it accepts, one signed with the
// key and one that sends the key as its password.
func verboseSetup() (env map[string]string, args []string,
	signedForm, plainForm url.Values) {
	env = map[string]string{"SMS_APIKEY": key}
	args = []string{"-addr", "127.0.0.1:0", "-account", "C123"}
	signedForm = signed(key, time.Now(), "account", "C123",
		"content", "你好 & welcome")
	plainForm = goodForm("account", "C123", "password", key,
		"mobile", "13712345678")
	return env, args, signedForm, plainForm
}

func TestVerbose(t *testing.T) {
	env, args, signedForm, plainForm := verboseSetup()

	t.Run("-v shows each form and its answer, the password hidden",
		testVerboseShowsForms)

	t.Run("without -v nothing of the conversation is printed",
		func(t *testing.T) {
			p := loopback.Start(t, run, args, env)
			postAll(t, p.Addr, nil, signedForm, plainForm)
			if err := p.Stop(); err != nil {
				t.Fatalf("got %s, want no error", errText(err))
			}
			if out := p.Stdout() + p.Stderr(); tapLine.MatchString(out) {
				t.Errorf("got %q, want no line of the conversation", out)
			}
		})

	t.Run("-v changes nothing on the wire: a body too large ends the connection",
		testVerboseTooLarge)

	t.Run("-v changes nothing on the wire: a body said to be too large "+
		"is refused before 100 Continue", testVerboseTooLargeToSend)

	t.Run("a header with an invisible character is shown quoted",
		func(t *testing.T) {
			// U+202E shows the text after it backwards: "abc\u202egnp.exe"
			// would show as "abcexe.png".
			p := loopback.Start(t, run, append(args, "-v"), env)
			postAll(t, p.Addr, http.Header{"X-Evil": {"abc\u202egnp.exe"}},
				plainForm)
			if err := p.Stop(); err != nil {
				t.Fatalf("got %s, want no error", errText(err))
			}
			checkOutput(t, p.Stderr(), nil, ` C: "X-Evil: abc\u202egnp.exe\r\n"`+"\n")
			showIfFailed(t, p.Stderr())
			if strings.Contains(p.Stderr(), "\u202e") {
				t.Errorf("got %q, want no U+202E as it is", p.Stderr())
			}
		})
}

// testVerboseShowsForms: with -v, each form posted and its answer are
// on stderr in order, each line starting with the client's address, and
// neither the key nor the signed password is anywhere.
func testVerboseShowsForms(t *testing.T) {
	env, args, signedForm, plainForm := verboseSetup()
	p := loopback.Start(t, run, append(args, "-v"), env)
	postAll(t, p.Addr, nil, signedForm, plainForm)
	if err := p.Stop(); err != nil {
		t.Fatalf("got %s, want no error", errText(err))
	}
	stderr := p.Stderr()
	checkOutput(t, stderr, nil,
		" code 2 smsid ", // the gateway's log: it has delivered, then -v prints
		shown("C:", "POST /webservice/sms.php?method=Submit HTTP/1.1\r\n"),
		shown("C:", "Content-Type: application/x-www-form-urlencoded\r\n"),
		shown("C:", "\r\n"),
		` C: "account=C123&content=%E4%BD%A0%E5%A5%BD+%26+welcome&`+
			`format=json&mobile=13812345678&password=<hidden>&time=`,
		shown("S:", "HTTP/1.1 200 OK\r\n"),
		shown("S:", "Content-Type: application/json; charset=utf-8\r\n"),
		shown("S:", "\r\n"),
		` S: "{\"code\":2,\"msg\":\"提交成功\",\"smsid\":\"`,
		shown("C:", "POST /webservice/sms.php?method=Submit HTTP/1.1\r\n"),
		`&password=<hidden>"`+"\n", shown("S:", "HTTP/1.1 200 OK\r\n"))
	showIfFailed(t, stderr)
	for _, m := range tapLine.FindAllStringSubmatch(stderr, -1) {
		if !strings.HasPrefix(m[1], "127.0.0.1:") {
			t.Errorf("got a line starting %q, want the client's address",
				m[0])
		}
	}
	checkOutput(t, p.Stdout()+stderr, []string{key, signedForm.Get("password")})
	showIfFailed(t, p.Stdout()+stderr)
}

// testVerboseTooLarge: with -v as without, a form over the size limit
// is answered 413 and the connection is closed.
func testVerboseTooLarge(t *testing.T) {
	env, args, _, _ := verboseSetup()
	for _, flags := range [][]string{args, append(args, "-v")} {
		p := loopback.Start(t, run, flags, env)
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.Post("http://"+p.Addr+target,
			"application/x-www-form-urlencoded",
			strings.NewReader("content="+strings.Repeat("x", 20<<10)))
		if err != nil {
			t.Fatalf("%q: got %s, want an answer", flags, errText(err))
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !resp.Close {
			t.Errorf("%q: got %q, closing %v; want 413, closing the "+
				"connection", flags, resp.Status, resp.Close)
		}
		if err := p.Stop(); err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
	}
}

// testVerboseTooLargeToSend: a client that sends "Expect: 100-continue"
// waits for the go-ahead before it sends its body. When the length it
// announces is over the limit, the first answer, with -v as without, is
// 413, not 100 Continue: it need not send a byte of the body.
func testVerboseTooLargeToSend(t *testing.T) {
	env, args, _, _ := verboseSetup()
	for _, flags := range [][]string{args, append(args, "-v")} {
		p := loopback.Start(t, run, flags, env)
		conn, err := net.Dial("tcp", p.Addr)
		if err != nil {
			t.Fatalf("got %s, want a connection", errText(err))
		}
		// The gateway is the side under test: it gets seconds.
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second)) // shows in the read
		_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: gateway\r\n"+
			"Content-Type: application/x-www-form-urlencoded\r\n"+
			"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n",
			target, 1<<20)
		if err != nil {
			t.Fatalf("got %s, want the request sent", errText(err))
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%q: got %s, want an answer", flags, errText(err))
		}
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%q: got %q first, want 413", flags, resp.Status)
		}
		_ = conn.Close() // the test is done with it
		if err := p.Stop(); err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
	}
}
