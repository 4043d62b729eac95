package main

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
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
	tg.gateway = newGateway("demo", "demo-key", &tg.stdout,
		log.New(&tg.stderr, "", 0))
	tg.now = func() time.Time { return tg.clock }
	tg.h = tg.handler()
	return tg
}

// errText is err's text for a failure message, in Go's quoted form: what
// came from the network in it cannot drive the terminal, even when the
// program under test forgot to quote it, and a nil error reads "<nil>".
func errText(err error) string { return strconv.Quote(fmt.Sprint(err)) }

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

// send posts form from loopback and decodes the JSON answer.
func send(tb testing.TB, h http.Handler, form url.Values) result {
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
		tb.Fatalf("answer is not JSON: %s", errText(err))
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

// submitCase is a request to the gateway and the code it must answer.
type submitCase struct {
	name   string
	remote string // default 127.0.0.1:5555
	target string // default target
	body   string
	code   int
}

// submitCases are TestSubmitCodes's cases: each code the gateway
// answers, and which comes first when a request earns several.
func submitCases() []submitCase {
	tooLong := strings.Repeat("码", maxContent+1)
	return []submitCase{
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
}

func TestSubmitCodes(t *testing.T) {
	tests := submitCases()
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
