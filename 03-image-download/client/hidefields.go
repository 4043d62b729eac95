// This file is the same in every HTTP program: 03-image-download/client,
// 03-image-download/server, 05-sms/client and 05-sms/server. A test keeps
// the copies identical.

package main

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// A secret can travel as the value of a field: key= in a query,
// password= in a form. What a program prints hides those values, with
// -v (taphttp.go) and, in a client, everywhere else too (hide.go): a
// server may send back, in a header or a page, the address a request
// came to, key and all.

// hideFields hides, in a form (name=value&name=value, the WHATWG URL
// Standard's application/x-www-form-urlencoded), the value of every
// field named in hidden: password=<hidden>.
func hideFields(form string, hidden []string) string {
	fields := strings.Split(form, "&")
	for i, field := range fields {
		if name, _, _ := strings.Cut(field, "="); isHidden(name, hidden) {
			fields[i] = name + "=<hidden>"
		}
	}
	return strings.Join(fields, "&")
}

// assignment is name=value in a query, a header or a page: the value
// runs on to what ends one in a query, & or a space (some of a page may
// go with it), but for a quote mark that ends a quoted string.
var assignment = regexp.MustCompile(`[^&?;\s"'<>#=/]+=[^&\s]*[^&\s"]`)

// hideAssignments hides, anywhere in text, the value after name= for
// every name in hidden.
func hideAssignments(text string, hidden []string) string {
	return assignment.ReplaceAllStringFunc(text, func(s string) string {
		if name, _, _ := strings.Cut(s, "="); isHidden(name, hidden) {
			return name + "=<hidden>"
		}
		return s
	})
}

// isHidden reports whether name, as it is sent, is one of hidden, in any
// case and however it is escaped (k%65y is key). A name that cannot be
// unescaped might be one of them.
func isHidden(name string, hidden []string) bool {
	n, err := url.QueryUnescape(name)
	return err != nil || slices.ContainsFunc(hidden, func(h string) bool {
		return strings.EqualFold(h, n)
	})
}
