package main

import "strconv"

// number reads s as a whole number written the one way a number is
// written: digits only, with no sign, no leading zero and no space ("5",
// never "+5", "05" or " 5"). A number with one spelling cannot be
// smuggled past a check that compares text, and every client that asks
// for the same thing asks for it the same way.
func number(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && s == strconv.Itoa(n)
}
