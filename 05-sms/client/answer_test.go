package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestAnswers checks that the gateway's codes are read from JSON and
// XML, and that every code but 2 is an error with a hint.
func TestAnswers(t *testing.T) {
	t.Run("code 2 in JSON prints the masked number and the smsid", func(t *testing.T) {
		f := newFakeGateway(t, 200, "application/json", jsonOK)
		stdout, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678")
		if err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		if want := `sent to 138****5678, smsid "16032876789012345"` + "\n"; stdout != want {
			t.Errorf("got %q, want %q", stdout, want)
		}
	})

	t.Run("code 2 in XML is read too", func(t *testing.T) {
		xmlOK := `<?xml version="1.0" encoding="utf-8"?>
<SubmitResult xmlns="http://106.ihuyi.com/"><code>2</code><msg>ok</msg><smsid>77</smsid></SubmitResult>`
		f := newFakeGateway(t, 200, "text/xml", xmlOK)
		stdout, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678")
		if err != nil || stdout != `sent to 138****5678, smsid "77"`+"\n" {
			t.Errorf("got %q, %s", stdout, errText(err))
		}
	})

	codes := []struct{ code, want string }{
		{"0", `code 0: "nope"`},
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
				t.Errorf("got %s, want code %s and %q",
					errText(err), tc.code, tc.want)
			}
			if stdout != "" {
				t.Errorf("printed %q, want nothing", stdout)
			}
		})
	}
}

// TestBadAnswers checks that an answer that is not the gateway's is an
// error that shows what came, and that the form is posted once only.
func TestBadAnswers(t *testing.T) {
	failures := []struct {
		name, ctype, reply string
		status             int
		want               string
	}{
		{"an HTML page", "text/html", "<html><body>Gateway maintenance</body></html>", 200,
			`the gateway answered "200 OK", but the answer is not the gateway's XML`},
		{"an HTML error page", "text/html", "<html><body>Bad Gateway</body></html>", 502,
			`the gateway answered "502 Bad Gateway": "<html><body>Bad Gateway`},
		{"a redirect, which would post the form again", "text/html", "moved", 307,
			`the gateway answered "307 Temporary Redirect"`},
		{"a code that is not a number", "text/xml",
			"<SubmitResult><code>\nclient: fake\n405</code></SubmitResult>", 200,
			"is not a number"},
		{"an answer over 64 KiB", "application/json",
			`{"code":2,"msg":"` + strings.Repeat("x", 70<<10) + `"}`, 200,
			"more than 64 KiB"},
		{"plain text", "text/plain", "hello", 200, `neither JSON nor XML: "hello"`},
		{"HTTP 500", "text/plain", "database down", 500,
			`the gateway answered "500 Internal Server Error": "database down"`},
		{"JSON without a code", "application/json", `{"msg":"?"}`, 200, "no code"},
	}
	for _, tc := range failures {
		t.Run(tc.name+" is an error that shows it, sent once only", func(t *testing.T) {
			f := newFakeGateway(t, tc.status, tc.ctype, tc.reply)
			_, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("the error lacks %q; got %s", tc.want, errText(err))
			}
			if n := len(f.posted()); n != 1 {
				t.Errorf("got %d posts, want 1: a send is never retried", n)
			}
		})
	}
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
		if _, convErr := strconv.Atoi(string(res.Code)); convErr != nil {
			t.Fatalf("parseResult(%q) = code %q, want a number", body, res.Code)
		}
	})
}
