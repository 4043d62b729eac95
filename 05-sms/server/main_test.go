package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"netprog/internal/loopback"
)

const (
	target  = submitPath + "?method=Submit"
	number  = "13812345678"
	content = "Your verification code is: 123456."
)

// start is the fake clock's first reading.
var start = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// testGateway is a gateway with account demo and key demo-key, a clock
// that moves only when the test moves it, and its output kept.
type testGateway struct {
	*gateway
	h      http.Handler
	clock  time.Time
	stdout bytes.Buffer
	stderr bytes.Buffer
}

func newTestGateway(tb testing.TB) *testGateway {
	tb.Helper()
	tg := &testGateway{clock: start}
	now := func() time.Time { return tg.clock }
	tg.gateway = newGateway("demo", "demo-key", now, &tg.stdout,
		log.New(&tg.stderr, "", 0))
	tg.h = tg.handler()
	return tg
}

// goodForm returns a form the gateway accepts, with pairs (name, value)
// changed; an empty value removes the field.
func goodForm(pairs ...string) url.Values {
	form := url.Values{"account": {"demo"}, "password": {"demo-key"},
		"mobile": {number}, "content": {content}, "format": {"json"}}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			form.Del(pairs[i])
		} else {
			form.Set(pairs[i], pairs[i+1])
		}
	}
	return form
}

// signed returns goodForm with the dynamic password for key at time t.
func signed(key string, t time.Time, pairs ...string) url.Values {
	return signedAt(key, strconv.FormatInt(t.Unix(), 10), pairs...)
}

// signedAt returns goodForm with the dynamic password for key and the
// time field ts, written as it is.
func signedAt(key, ts string, pairs ...string) url.Values {
	form := goodForm(pairs...)
	sum := md5.Sum([]byte(form.Get("account") + key + form.Get("mobile") +
		form.Get("content") + ts))
	form.Set("password", hex.EncodeToString(sum[:]))
	form.Set("time", ts)
	return form
}

// postFrom sends the handler body as a form POST from remote, and returns
// the response.
func postFrom(h http.Handler, remote, target, body string) *http.Response {
	req := httptest.NewRequest(http.MethodPost, target,
		strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

// submit posts form from loopback and decodes the JSON answer.
func submit(tb testing.TB, h http.Handler, form url.Values) result {
	tb.Helper()
	return decodeJSON(tb, postFrom(h, "127.0.0.1:5555", target, form.Encode()))
}

func decodeJSON(tb testing.TB, resp *http.Response) result {
	tb.Helper()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("got %q, want 200 OK (the code is in the body)", resp.Status)
	}
	want := "application/json; charset=utf-8"
	if ct := resp.Header.Get("Content-Type"); ct != want {
		tb.Errorf("got Content-Type %q, want %q", ct, want)
	}
	var res result
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		tb.Fatalf("answer is not JSON: %q", err)
	}
	return res
}

// checkCode fails the test unless res has code want, with its message
// and an smsid for a sent message, "0" for any other.
func checkCode(tb testing.TB, res result, want int) {
	tb.Helper()
	if res.Code != want {
		tb.Errorf("got code %d (%q), want %d", res.Code, res.Msg, want)
	}
	if res.Msg != messages[res.Code] || res.Msg == "" {
		tb.Errorf("got msg %q for code %d, want %q",
			res.Msg, res.Code, messages[res.Code])
	}
	if sent := res.SMSID != "0" && res.SMSID != ""; sent != (want == 2) {
		tb.Errorf("got smsid %q with code %d", res.SMSID, res.Code)
	}
}

func TestSubmitCodes(t *testing.T) {
	tooLong := strings.Repeat("码", maxContent+1)
	tests := []struct {
		name   string
		remote string // default 127.0.0.1:5555
		target string // default target
		body   string
		code   int
	}{
		{"a good request is code 2", "", "", goodForm().Encode(), 2},
		{"a request from ::1 is code 2", "[::1]:5555", "",
			goodForm().Encode(), 2},
		{"a +86 number is code 2", "", "",
			goodForm("mobile", "+86"+number).Encode(), 2},
		{"an 86 number is code 2", "", "",
			goodForm("mobile", "86"+number).Encode(), 2},
		{"500 characters is code 2", "", "",
			goodForm("content", tooLong[len("码"):]).Encode(), 2},
		{"no method is code 0", "", submitPath, goodForm().Encode(), 0},
		{"method Query is code 0", "", submitPath + "?method=Query",
			goodForm().Encode(), 0},
		{"a malformed form is code 0", "", "",
			"format=json&account=%zz", 0},
		{"a caller on another machine is code 400", "192.0.2.1:5555", "",
			goodForm().Encode(), 400},
		{"no account is code 401", "", "", goodForm("account", "").Encode(), 401},
		{"no password is code 402", "", "",
			goodForm("password", "").Encode(), 402},
		{"no mobile is code 403", "", "", goodForm("mobile", "").Encode(), 403},
		{"no content is code 404", "", "", goodForm("content", "").Encode(), 404},
		{"a wrong key is code 405", "", "",
			goodForm("password", "demo-kex").Encode(), 405},
		{"a wrong account is code 405", "", "",
			goodForm("account", "demo2").Encode(), 405},
		{"10 digits is code 406", "", "",
			goodForm("mobile", "1381234567").Encode(), 406},
		{"12 digits is code 406", "", "",
			goodForm("mobile", "138123456789").Encode(), 406},
		{"a number not starting with 1 is code 406", "", "",
			goodForm("mobile", "23812345678").Encode(), 406},
		{"a number with a space is code 406", "", "",
			goodForm("mobile", "138 12345678").Encode(), 406},
		{"+85 is code 406", "", "",
			goodForm("mobile", "+8513812345678").Encode(), 406},
		{"a sensitive word is code 407", "", "",
			goodForm("content", "a BadWord here").Encode(), 407},
		{"a sensitive Chinese word is code 407", "", "",
			goodForm("content", "有敏感词").Encode(), 407},
		{"501 characters is code 4073", "", "",
			goodForm("content", tooLong).Encode(), 4073},
		{"401 comes before 403", "", "",
			goodForm("account", "", "mobile", "").Encode(), 401},
		{"405 comes before 406", "", "",
			goodForm("password", "x", "mobile", "1").Encode(), 405},
		{"406 comes before 407", "", "",
			goodForm("mobile", "1", "content", "badword").Encode(), 406},
		{"407 comes before 4073", "", "",
			goodForm("content", "badword"+tooLong).Encode(), 407},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := newTestGateway(t)
			remote, tgt := tc.remote, tc.target
			if remote == "" {
				remote = "127.0.0.1:5555"
			}
			if tgt == "" {
				tgt = target
			}
			checkCode(t, decodeJSON(t, postFrom(tg.h, remote, tgt, tc.body)),
				tc.code)
		})
	}
}

func TestPasswords(t *testing.T) {
	tests := []struct {
		name  string
		clock time.Duration // how far the clock moves after signing
		form  url.Values
		code  int
	}{
		{"the key itself is accepted", 0, goodForm(), 2},
		{"the key itself is accepted whatever the time", 0,
			goodForm("time", "1"), 2},
		{"a dynamic password is accepted", 0, signed("demo-key", start), 2},
		{"a dynamic password 10 minutes old is accepted", 10 * time.Minute,
			signed("demo-key", start), 2},
		{"a dynamic password 10 minutes ahead is accepted", -10 * time.Minute,
			signed("demo-key", start), 2},
		{"an expired dynamic password is code 405",
			10*time.Minute + time.Second, signed("demo-key", start), 405},
		{"a dynamic password from the future is code 405",
			-10*time.Minute - time.Second, signed("demo-key", start), 405},
		{"a dynamic password made with another key is code 405", 0,
			signed("other-key", start), 405},
		{"a dynamic password without its time is code 405", 0,
			without(signed("demo-key", start), "time"), 405},
		{"a dynamic password in capitals is code 405", 0,
			upper(signed("demo-key", start)), 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := newTestGateway(t)
			tg.clock = start.Add(tc.clock)
			checkCode(t, submit(t, tg.h, tc.form), tc.code)
		})
	}

	t.Run("a dynamic password signs the content", func(t *testing.T) {
		tg := newTestGateway(t)
		form := signed("demo-key", start)
		form.Set("content", "Your verification code is: 999999.")
		checkCode(t, submit(t, tg.h, form), 405)
	})
}

func without(form url.Values, name string) url.Values {
	form.Del(name)
	return form
}

func upper(form url.Values) url.Values {
	form.Set("password", strings.ToUpper(form.Get("password")))
	return form
}

func TestRateLimits(t *testing.T) {
	t.Run("a second message within a second is code 4080", func(t *testing.T) {
		tg := newTestGateway(t)
		checkCode(t, submit(t, tg.h, goodForm()), 2)
		tg.clock = start.Add(999 * time.Millisecond)
		checkCode(t, submit(t, tg.h, goodForm("mobile", "+86"+number)), 4080)
		checkCode(t, submit(t, tg.h, goodForm("mobile", "13812345679")), 2)
		tg.clock = start.Add(time.Second)
		checkCode(t, submit(t, tg.h, goodForm()), 2)
	})

	t.Run("a sixth message in a day is code 4085", func(t *testing.T) {
		tg := newTestGateway(t)
		for range maxPerDay {
			checkCode(t, submit(t, tg.h, goodForm()), 2)
			tg.clock = tg.clock.Add(time.Minute)
		}
		checkCode(t, submit(t, tg.h, goodForm()), 4085)
		checkCode(t, submit(t, tg.h, goodForm("mobile", "13812345679")), 2)
		tg.clock = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) // midnight
		checkCode(t, submit(t, tg.h, goodForm()), 2)
	})

	t.Run("a refused message does not count", func(t *testing.T) {
		tg := newTestGateway(t)
		for range maxPerDay {
			checkCode(t, submit(t, tg.h, goodForm("password", "x")), 405)
			checkCode(t, submit(t, tg.h, goodForm("content", "badword")), 407)
		}
		checkCode(t, submit(t, tg.h, goodForm()), 2)
	})

	t.Run("a full table takes no new number until the next day",
		func(t *testing.T) {
			tg := newTestGateway(t)
			tg.maxNumbers = 2
			checkCode(t, submit(t, tg.h, goodForm("mobile", "13800000001")), 2)
			checkCode(t, submit(t, tg.h, goodForm("mobile", "13800000002")), 2)
			checkCode(t, submit(t, tg.h, goodForm("mobile", "13800000003")), 0)
			tg.clock = start.Add(time.Minute)
			checkCode(t, submit(t, tg.h, goodForm("mobile", "13800000001")), 2)
			tg.clock = start.Add(24 * time.Hour)
			checkCode(t, submit(t, tg.h, goodForm("mobile", "13800000003")), 2)
			if len(tg.sent) != 1 {
				t.Errorf("got %d numbers remembered, want 1 (yesterday's "+
					"forgotten)", len(tg.sent))
			}
		})
}

// xmlResult is the XML answer as a client decodes it.
type xmlResult struct {
	XMLName xml.Name `xml:"http://106.ihuyi.com/ SubmitResult"`
	Code    int      `xml:"code"`
	Msg     string   `xml:"msg"`
	SMSID   string   `xml:"smsid"`
}

func TestReplyFormats(t *testing.T) {
	t.Run("format=json gets the real gateway's JSON", func(t *testing.T) {
		tg := newTestGateway(t)
		resp := postFrom(tg.h, "127.0.0.1:5555", target, goodForm().Encode())
		body, _ := io.ReadAll(resp.Body) // a recorder's body never fails
		prefix := `{"code":2,"msg":"提交成功","smsid":"`
		if !strings.HasPrefix(string(body), prefix) {
			t.Errorf("got %q, want it to start with %q", body, prefix)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		checkCode(t, decodeJSON(t, resp), 2)
	})

	for _, format := range []string{"", "xml", "JSON"} {
		t.Run("format "+strconv.Quote(format)+" gets XML", func(t *testing.T) {
			tg := newTestGateway(t)
			for _, want := range []int{2, 4080} {
				resp := postFrom(tg.h, "127.0.0.1:5555", target,
					goodForm("format", format).Encode())
				xmlType := "text/xml; charset=utf-8"
				if ct := resp.Header.Get("Content-Type"); ct != xmlType {
					t.Errorf("got Content-Type %q, want %q", ct, xmlType)
				}
				body, _ := io.ReadAll(resp.Body) // a recorder's never fails
				if !strings.HasPrefix(string(body), xmlDeclaration+
					`<SubmitResult xmlns="http://106.ihuyi.com/"><code>`) {
					t.Errorf("got %q, want the real gateway's XML", body)
				}
				var res xmlResult
				if err := xml.Unmarshal(body, &res); err != nil {
					t.Fatalf("answer is not XML: %q", err)
				}
				checkCode(t, result(res), want)
			}
		})
	}

	t.Run("every message gets a new smsid", func(t *testing.T) {
		tg := newTestGateway(t)
		a := submit(t, tg.h, goodForm())
		b := submit(t, tg.h, goodForm("mobile", "13812345679"))
		if a.SMSID == b.SMSID || len(a.SMSID) < 16 {
			t.Errorf("got smsids %q and %q, want two long, different ones",
				a.SMSID, b.SMSID)
		}
	})
}

func TestRouting(t *testing.T) {
	tg := newTestGateway(t)
	for _, method := range []string{http.MethodGet, http.MethodPut} {
		t.Run(method+" is 405 and says Allow: POST", func(t *testing.T) {
			req := httptest.NewRequest(method, target, nil)
			rec := httptest.NewRecorder()
			tg.h.ServeHTTP(rec, req)
			if rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("got %d, want 405", rec.Code)
			}
			if got := rec.Header().Get("Allow"); got != "POST" {
				t.Errorf("got Allow %q, want POST", got)
			}
		})
	}

	for _, path := range []string{"/", "/webservice/", "/webservice/sms.php/x",
		"/webservice/other.php?method=Submit"} {
		t.Run("a POST to "+path+" is 404", func(t *testing.T) {
			resp := postFrom(tg.h, "127.0.0.1:5555", path, goodForm().Encode())
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("got %q, want 404", resp.Status)
			}
		})
	}

	// A form of exactly maxBody bytes, padded with a field the gateway
	// does not know, and one a byte longer.
	body := goodForm().Encode() + "&pad="
	body += strings.Repeat("x", maxBody-len(body))
	t.Run("a body of 16 KiB is read", func(t *testing.T) {
		checkCode(t, decodeJSON(t, postFrom(tg.h, "127.0.0.1:5555", target,
			body)), 2)
	})
	t.Run("a body over 16 KiB is 413", func(t *testing.T) {
		resp := postFrom(tg.h, "127.0.0.1:5555", target, body+"x")
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("got %q, want 413", resp.Status)
		}
	})
}

func TestDelivery(t *testing.T) {
	tests := []struct {
		name    string
		form    url.Values
		content string
		want    string
	}{
		{"a message is printed with the number masked", goodForm(), content,
			"138****5678: " + content + "\n"},
		{"a +86 number is masked the same", goodForm("mobile", "+86"+number),
			content, "138****5678: " + content + "\n"},
		{"Chinese is printed as it is", goodForm(), "您的验证码是：123456。",
			"138****5678: 您的验证码是：123456。\n"},
		{"a newline is quoted", goodForm(), "a\nb",
			`138****5678: "a\nb"` + "\n"},
		{"an escape sequence is quoted", goodForm(), "a\x1b[2Jb",
			`138****5678: "a\x1b[2Jb"` + "\n"},
		{"bad UTF-8 is quoted", goodForm(), "a\xffb",
			`138****5678: "a\xffb"` + "\n"},
		{"a message that starts with a quote mark is quoted", goodForm(),
			`"sent" \`, `138****5678: "\"sent\" \\"` + "\n"},
		{"a long message is cut at 200 bytes, and says so", goodForm(),
			strings.Repeat("x", 250), "138****5678: " +
				strings.Repeat("x", 200) + "... (50 more bytes)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := newTestGateway(t)
			tc.form.Set("content", tc.content)
			res := submit(t, tg.h, tc.form)
			checkCode(t, res, 2)
			want := strings.Replace(tc.want, ": ", " (smsid "+res.SMSID+"): ", 1)
			if got := tg.stdout.String(); got != want {
				t.Errorf("got stdout %q, want %q", got, want)
			}
		})
	}

	t.Run("the log masks the number and shows the code", func(t *testing.T) {
		tg := newTestGateway(t)
		res := submit(t, tg.h, goodForm())
		want := "POST 127.0.0.1:5555 138****5678 code 2 smsid " +
			res.SMSID + "\n"
		if got := tg.stderr.String(); got != want {
			t.Errorf("got log %q, want %q", got, want)
		}
	})

	t.Run("the key, the password and the number are never printed",
		func(t *testing.T) {
			tg := newTestGateway(t)
			tg.key = "s3cret-key"
			good := signed("s3cret-key", start)
			forms := []url.Values{goodForm("password", "s3cret-key"), good,
				goodForm("password", "s3cret-kez"), goodForm("mobile", "1"),
				signed("s3cret-key", start, "account", "x")}
			for _, form := range forms {
				_ = submit(t, tg.h, form)
				tg.clock = tg.clock.Add(time.Second)
			}
			if !strings.Contains(tg.stdout.String(), "138****5678") {
				t.Errorf("got stdout %q, want messages", tg.stdout.String())
			}
			secrets := []string{"s3cret-ke", good.Get("password"), number}
			for _, s := range secrets {
				if strings.Contains(tg.stdout.String()+tg.stderr.String(), s) {
					t.Errorf("%q printed: stdout %q, stderr %q", s,
						tg.stdout.String(), tg.stderr.String())
				}
			}
		})
}

func TestServer(t *testing.T) {
	t.Run("serves over HTTP and stops on cancel", func(t *testing.T) {
		env := map[string]string{"SMS_APIKEY": "s3cret-key"}
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
			"-account", "C123"}, env)
		form := signed("s3cret-key", time.Now(), "account", "C123")
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.PostForm("http://"+p.Addr+target, form)
		if err != nil {
			t.Fatal(err)
		}
		res := decodeJSON(t, resp)
		_ = resp.Body.Close()
		checkCode(t, res, 2)
		if err := p.Stop(); err != nil {
			t.Errorf("Stop: got %v, want nil", err)
		}
		want := "138****5678 (smsid " + res.SMSID + "): " + content + "\n"
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

	t.Run("a port in use is an error, not bad usage", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = ln.Close() })
		err = run(t.Context(), []string{"-addr", ln.Addr().String()},
			func(string) string { return "" }, io.Discard, io.Discard)
		inUse := errors.Is(err, syscall.EADDRINUSE) ||
			errors.Is(err, wsaeaddrinuse) // Windows' code for it
		if !inUse || errors.Is(err, errUsage) {
			t.Errorf("got %q, want address in use", err)
		}
		if err != nil && !strings.Contains(err.Error(), "another program") {
			t.Errorf("got %q, want a hint on what to do", err)
		}
	})

	t.Run("-h prints every flag and is no error", func(t *testing.T) {
		var stderr bytes.Buffer
		err := run(t.Context(), []string{"-h"}, nil, io.Discard, &stderr)
		if err != nil {
			t.Errorf("got %v, want nil", err)
		}
		for _, want := range []string{"-addr", "-account", "-max-conns",
			"SMS_APIKEY"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("usage %q does not mention %s", stderr.String(), want)
			}
		}
	})

	bad := [][]string{{"-account", ""}, {"extra"}, {"-nosuch"}, {"-addr"},
		{"-max-conns", "0"}, {"-max-conns", "many"}}
	for _, args := range bad {
		t.Run(strings.Join(args, " ")+" is bad usage", func(t *testing.T) {
			err := run(context.Background(), args, nil, io.Discard, io.Discard)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
		})
	}
}

// FuzzMobile checks the number check: whatever it accepts normalises to
// 11 digits starting with 1, found at the end of what was sent, and it
// accepts every 11 digits starting with 1. A number it accepts has the
// length its first byte gives, so in a signature, where the content
// follows with nothing between, no digit can move from one to the other.
func FuzzMobile(f *testing.F) {
	for _, s := range []string{number, "+86" + number, "86" + number,
		"8613812345678", "+8613812345678x", "1381234567", "+86", "86",
		"138１2345678", "", "+8686" + number, "8686138123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, mobile string) {
		got, ok := normalise(mobile)
		digits := len(mobile) == 11 && mobile[0] == '1' &&
			strings.Trim(mobile, "0123456789") == ""
		if digits && (!ok || got != mobile) {
			t.Fatalf("normalise(%q) = %q, %v; want it as it is", mobile, got, ok)
		}
		if !ok {
			return
		}
		if len(got) != 11 || got[0] != '1' ||
			strings.Trim(got, "0123456789") != "" {
			t.Fatalf("normalise(%q) = %q, want 11 digits starting with 1",
				mobile, got)
		}
		lengths := map[byte]int{'1': 11, '8': 13, '+': 14}
		if len(mobile) != lengths[mobile[0]] {
			t.Fatalf("normalise(%q) accepted %d bytes, want %d from its "+
				"first byte", mobile, len(mobile), lengths[mobile[0]])
		}
		if !strings.HasSuffix(mobile, got) || len(mobile)-len(got) > 3 {
			t.Fatalf("normalise(%q) = %q, want at most +86 cut off", mobile, got)
		}
		if m := masked(mobile); m != got[:3]+"****"+got[7:] {
			t.Fatalf("masked(%q) = %q", mobile, m)
		}
	})
}

// BenchmarkSubmit measures messages a second over loopback HTTP, with
// clients in parallel, through serve: the program's own server, its
// timeouts and its cap on connections. The gateway's clock moves a day
// at each reading, so the rate limits never refuse.
func BenchmarkSubmit(b *testing.B) {
	var days atomic.Int64
	now := func() time.Time {
		return start.AddDate(0, 0, int(days.Add(1)))
	}
	g := newGateway("demo", "demo-key", now, io.Discard,
		log.New(io.Discard, "", 0))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, ln, g.handler(), 256, log.New(io.Discard, "", 0))
	}()
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
			if err != nil || res.Code != codeSubmitted {
				b.Errorf("got %q, code %d, %q", resp.Status, res.Code, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
