package main

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRateLimits(t *testing.T) {
	t.Run("a second message within a second is code 4080", func(t *testing.T) {
		tg := newTestGateway(t)
		checkCode(t, send(t, tg.h, goodForm()), 2)
		tg.clock = start.Add(999 * time.Millisecond)
		checkCode(t, send(t, tg.h, goodForm("mobile", "+86"+number)), 4080)
		checkCode(t, send(t, tg.h, goodForm("mobile", "13812345679")), 2)
		tg.clock = start.Add(time.Second)
		checkCode(t, send(t, tg.h, goodForm()), 2)
	})

	t.Run("a sixth message in a day is code 4085", func(t *testing.T) {
		tg := newTestGateway(t)
		for range maxPerDay {
			checkCode(t, send(t, tg.h, goodForm()), 2)
			tg.clock = tg.clock.Add(time.Minute)
		}
		checkCode(t, send(t, tg.h, goodForm()), 4085)
		checkCode(t, send(t, tg.h, goodForm("mobile", "13812345679")), 2)
		tg.clock = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) // midnight
		checkCode(t, send(t, tg.h, goodForm()), 2)
	})

	t.Run("a refused message does not count", func(t *testing.T) {
		tg := newTestGateway(t)
		for range maxPerDay {
			checkCode(t, send(t, tg.h, goodForm("password", "x")), 405)
			checkCode(t, send(t, tg.h, goodForm("content", "badword")), 407)
		}
		checkCode(t, send(t, tg.h, goodForm()), 2)
	})

	t.Run("a full table takes no new number until the next day",
		func(t *testing.T) {
			tg := newTestGateway(t)
			tg.maxNumbers = 2
			checkCode(t, send(t, tg.h, goodForm("mobile", "13800000001")), 2)
			checkCode(t, send(t, tg.h, goodForm("mobile", "13800000002")), 2)
			checkCode(t, send(t, tg.h, goodForm("mobile", "13800000003")), 0)
			tg.clock = start.Add(time.Minute)
			checkCode(t, send(t, tg.h, goodForm("mobile", "13800000001")), 2)
			tg.clock = start.Add(24 * time.Hour)
			checkCode(t, send(t, tg.h, goodForm("mobile", "13800000003")), 2)
			if len(tg.sent) != 1 {
				t.Errorf("got %d numbers remembered, want 1 (yesterday's "+
					"forgotten)", len(tg.sent))
			}
		})
}

// deliveryCase is a message sent to the gateway with content in it,
// and what the gateway must print for it, smsid aside.
type deliveryCase struct {
	name    string
	form    url.Values
	content string
	want    string
}

// deliveryCases are TestDelivery's messages: how the gateway prints a
// number, and the text it quotes or cuts.
func deliveryCases() []deliveryCase {
	return []deliveryCase{
		{"a message is printed with the number masked", goodForm(), content,
			`138****5678: "` + content + `"` + "\n"},
		{"a +86 number is masked the same", goodForm("mobile", "+86"+number),
			content, `138****5678: "` + content + `"` + "\n"},
		{"Chinese is printed as it is, quoted", goodForm(), "您的验证码是：123456。",
			`138****5678: "您的验证码是：123456。"` + "\n"},
		{"a newline is escaped", goodForm(), "a\nb",
			`138****5678: "a\nb"` + "\n"},
		{"an escape sequence is escaped", goodForm(), "a\x1b[2Jb",
			`138****5678: "a\x1b[2Jb"` + "\n"},
		{"bad UTF-8 is escaped", goodForm(), "a\xffb",
			`138****5678: "a\xffb"` + "\n"},
		{"a quote mark in a message is escaped", goodForm(),
			`"sent" \`, `138****5678: "\"sent\" \\"` + "\n"},
		{"a long message is cut at 200 characters, and says so", goodForm(),
			strings.Repeat("x", 250), `138****5678: "` +
				strings.Repeat("x", 200) + `"... (50 more characters)` + "\n"},
	}
}

func TestDelivery(t *testing.T) {
	tests := deliveryCases()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := newTestGateway(t)
			tc.form.Set("content", tc.content)
			res := send(t, tg.h, tc.form)
			checkCode(t, res, 2)
			want := strings.Replace(tc.want, ": ", " (smsid "+res.SMSID+"): ", 1)
			if got := tg.stdout.String(); got != want {
				t.Errorf("got stdout %q, want %q", got, want)
			}
		})
	}

	t.Run("the log masks the number and shows the code", func(t *testing.T) {
		tg := newTestGateway(t)
		res := send(t, tg.h, goodForm())
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
				_ = send(t, tg.h, form)
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
