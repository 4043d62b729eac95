// This file is the same in 05-sms/client and 05-sms/server; a test keeps the
// copies identical.

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
	switch len(s) { // one prefix at most: +8686... is not a number
	case 13:
		digits = strings.TrimPrefix(s, "86")
	case 14:
		digits = strings.TrimPrefix(s, "+86")
	}
	if len(digits) != 11 || digits[0] != '1' ||
		strings.Trim(digits, "0123456789") != "" {
		return "", fmt.Errorf("%q is not a mobile number: want 11 digits "+
			"starting with 1, e.g. 13812345678", s)
	}
	return digits, nil
}

// mask hides the middle of a number for logs and output, 138****5678,
// as a phone bill does: enough to tell numbers apart, not to dial one.
func mask(mobile string) string {
	number, err := normalizeMobile(mobile)
	if err != nil {
		return "(bad number)" // not printed: it could be anything
	}
	return number[:3] + "****" + number[7:]
}
