// This file is the same in every program of chapter 02:
// 02-file-transfer/client and 02-file-transfer/server. A test keeps the
// copies identical.

package main

import "strconv"

// thousands writes n with a comma between groups of three digits, as
// people read a large number of bytes: 1,048,576.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	first := 1 // a group never starts before the first digit
	if n < 0 {
		first = 2
	}
	for i := len(s) - 3; i >= first; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
