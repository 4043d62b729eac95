package main

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

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
			checkCode(t, send(t, tg.h, tc.form), tc.code)
		})
	}

	t.Run("a dynamic password signs the content", func(t *testing.T) {
		tg := newTestGateway(t)
		form := signed("demo-key", start)
		form.Set("content", "Your verification code is: 999999.")
		checkCode(t, send(t, tg.h, form), 405)
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

// The dynamic password is md5 over fields joined with nothing between
// them, so it signs bytes, not where the content ends and the time
// begins. If the gateway took the time in more than one form, the last
// digits of a signed content could move into the time.
func TestSignedTime(t *testing.T) {
	ts := strconv.FormatInt(start.Unix(), 10)

	t.Run("a signature is not kept when a digit moves from the content "+
		"to the time", func(t *testing.T) {
		tg := newTestGateway(t)
		form := signed("demo-key", start, "content", "Your code is 123450")
		form.Set("content", "Your code is 12345")
		form.Set("time", "0"+ts)
		checkCode(t, send(t, tg.h, form), 405)
		if tg.stdout.Len() > 0 {
			t.Errorf("delivered %q, want nothing", tg.stdout.String())
		}
	})

	// Each time is signed as it is written, so only its form is wrong.
	tests := []struct {
		name string
		time string
		code int
	}{
		{"the canonical time is accepted", ts, 2},
		{"a leading zero is refused", "0" + ts, 405},
		{"two leading zeros are refused", "00" + ts, 405},
		{"a plus sign is refused", "+" + ts, 405},
		{"a space before is refused", " " + ts, 405},
		{"a space after is refused", ts + " ", 405},
		{"a minus sign is refused", "-" + ts, 405},
		{"a fraction is refused", ts + ".0", 405},
		{"full-width digits are refused", strings.Map(func(r rune) rune {
			return r - '0' + '０'
		}, ts), 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := newTestGateway(t)
			res := send(t, tg.h, signedAt("demo-key", tc.time))
			checkCode(t, res, tc.code)
			switch delivered := tg.stdout.String(); {
			case tc.code == 2 && delivered == "":
				t.Errorf("got code %d and nothing delivered, want the "+
					"message delivered", res.Code)
			case tc.code != 2 && delivered != "":
				t.Errorf("got code %d and %q delivered, want code %d and "+
					"nothing delivered", res.Code, delivered, tc.code)
			}
		})
	}
}

// FuzzUnixTime checks that the time field has one form: whatever
// unixTime accepts is what strconv.FormatInt writes, digits only, and
// every time FormatInt writes is accepted.
func FuzzUnixTime(f *testing.F) {
	for _, s := range []string{"1795600000", "01795600000", "+1795600000",
		" 1795600000", "1795600000 ", "-1", "0", "00", "", "9223372036854775808",
		"1e9", "１７９５６０００００"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sec, ok := unixTime(s)
		if ok && (strconv.FormatInt(sec, 10) != s ||
			strings.Trim(s, "0123456789") != "") {
			t.Fatalf("unixTime(%q) = %d, true; want only the canonical form",
				s, sec)
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
			canonical := strconv.FormatInt(n, 10)
			if got, ok := unixTime(canonical); !ok || got != n {
				t.Fatalf("unixTime(%q) = %d, %v; want %d, true",
					canonical, got, ok, n)
			}
		}
	})
}
