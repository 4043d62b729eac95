// Tests of mobile.go, the same file in 05-sms/client and 05-sms/server; a
// test keeps the copies identical.

package main

import (
	"strings"
	"testing"
)

// FuzzNormalizeMobile checks the number check: whatever it accepts comes
// back as 11 digits starting with 1, found at the end of what was sent,
// and it accepts every 11 digits starting with 1. A number it accepts has
// the length its first byte gives, so in a signature, where the content
// follows with nothing between, no digit can move from one to the other.
func FuzzNormalizeMobile(f *testing.F) {
	const n = "13812345678"
	for _, s := range []string{n, "+86" + n, "86" + n, "86123456789",
		"+8613812345678x", "1381234567", "+86", "86", "138１2345678",
		"１３８１２３４５６７８", "", "+8686" + n, "+86+86" + n,
		"8686138123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, mobile string) {
		got, err := normalizeMobile(mobile)
		digits := len(mobile) == 11 && mobile[0] == '1' &&
			strings.Trim(mobile, "0123456789") == ""
		if digits && (err != nil || got != mobile) {
			t.Fatalf("normalizeMobile(%q) = %q, %v; want it as it is",
				mobile, got, err)
		}
		if err != nil {
			return
		}
		if len(got) != 11 || got[0] != '1' ||
			strings.Trim(got, "0123456789") != "" {
			t.Fatalf("normalizeMobile(%q) = %q, want 11 digits starting with 1",
				mobile, got)
		}
		lengths := map[byte]int{'1': 11, '8': 13, '+': 14}
		if len(mobile) != lengths[mobile[0]] {
			t.Fatalf("normalizeMobile(%q) accepted %d bytes, want %d from its "+
				"first byte", mobile, len(mobile), lengths[mobile[0]])
		}
		if !strings.HasSuffix(mobile, got) || len(mobile)-len(got) > 3 {
			t.Fatalf("normalizeMobile(%q) = %q, want at most +86 cut off",
				mobile, got)
		}
		if m := mask(mobile); m != got[:3]+"****"+got[7:] {
			t.Fatalf("mask(%q) = %q, want %q", mobile, m,
				got[:3]+"****"+got[7:])
		}
	})
}
