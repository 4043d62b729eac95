// This file is the same in both programs of the chapter: 05-sms/client
// and 05-sms/server. A test keeps the copies identical.

package main

import (
	"fmt"
	"strings"
)

// normalizeMobile checks a Chinese mobile number, 11 digits starting with
// 1, with or without +86 or 86 (the country code of China) in front, and
// returns its 11 digits. A number it accepts has the length its first
// byte gives: 11 from "1", 13 from "86", 14 from "+86".
func normalizeMobile(s string) (string, error) {
	digits := s
	if len(s) > 11 {
		// One prefix at most: +8686... is not a number.
		if d, ok := strings.CutPrefix(s, "+86"); ok {
			digits = d
		} else {
			digits = strings.TrimPrefix(s, "86")
		}
	}
	if len(digits) != 11 || digits[0] != '1' {
		return "", fmt.Errorf("%q is not a mobile number: want 11 digits "+
			"starting with 1, e.g. 13812345678", s)
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("%q is not a mobile number: digits only", s)
		}
	}
	return digits, nil
}

// mask hides the middle of a number for logs and output, 138****5678,
// as a phone bill does: enough to tell numbers apart, not to dial one.
func mask(mobile string) string {
	number, err := normalizeMobile(mobile)
	switch {
	case mobile == "":
		return "(no number)"
	case err != nil:
		return "(bad number)" // not printed: it could be anything
	}
	return number[:3] + "****" + number[7:]
}
