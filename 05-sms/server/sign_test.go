package main

import (
	"strconv"
	"strings"
	"testing"
)

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
		checkCode(t, submit(t, tg.h, form), codeBadKey)
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
		{"the canonical time is accepted", ts, codeSubmitted},
		{"a leading zero is refused", "0" + ts, codeBadKey},
		{"two leading zeros are refused", "00" + ts, codeBadKey},
		{"a plus sign is refused", "+" + ts, codeBadKey},
		{"a space before is refused", " " + ts, codeBadKey},
		{"a space after is refused", ts + " ", codeBadKey},
		{"a minus sign is refused", "-" + ts, codeBadKey},
		{"a fraction is refused", ts + ".0", codeBadKey},
		{"full-width digits are refused", strings.Map(func(r rune) rune {
			return r - '0' + '０'
		}, ts), codeBadKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := newTestGateway(t)
			checkCode(t, submit(t, tg.h, signedAt("demo-key", tc.time)), tc.code)
			delivered := tg.stdout.Len() > 0
			if delivered != (tc.code == codeSubmitted) {
				t.Errorf("got stdout %q with code %d", tg.stdout.String(), tc.code)
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
