// This file is the same in every HTTP program: 03-image-download/client,
// 03-image-download/server, 05-sms/client and 05-sms/server. A test keeps
// the copies identical.

package main

import (
	"cmp"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// maxWireBody bounds how much of one body -v keeps to show.
const maxWireBody = 64 << 10

// secretHeaders carry credentials, whatever the program: -v shows them
// with their values hidden.
var secretHeaders = []string{"Authorization", "Proxy-Authorization",
	"Cookie", "Set-Cookie"}

// wireHead returns the head of an HTTP message (RFC 9112, section 2.1):
// its start line and header lines, as the httputil.Dump functions write
// them, then the empty line that ends them. The values of secretHeaders,
// and of the request line's query parameters named in hidden, read
// <hidden>; so does a field named in hidden in any other header, such as
// a redirect's Location or the Referer that follows it, which hold the
// address the key was sent to.
func wireHead(head []byte, hidden []string) string {
	lines := strings.Split(strings.TrimSuffix(string(head), "\r\n\r\n"), "\r\n")
	for i, line := range lines {
		name, _, isHeader := strings.Cut(line, ":")
		switch {
		case i == 0:
			lines[0] = hideTarget(line, hidden)
		case isHeader && slices.ContainsFunc(secretHeaders, func(h string) bool {
			return strings.EqualFold(h, name) // names are the same in any case
		}):
			lines[i] = name + ": <hidden>"
		default:
			lines[i] = hideAssignments(line, hidden)
		}
	}
	return strings.Join(lines, "\n") + "\n\n"
}

// hideTarget hides, in a request line (GET /meinv/?key=demo&num=10
// HTTP/1.1), the values of the query parameters named in hidden.
func hideTarget(line string, hidden []string) string {
	method, rest, _ := strings.Cut(line, " ")
	target, version, ok := strings.Cut(rest, " ")
	path, query, hasQuery := strings.Cut(target, "?")
	if !ok || !hasQuery {
		return line
	}
	return method + " " + path + "?" + hideFields(query, hidden) + " " + version
}

// hideFields hides, in a query or a form (name=value&name=value, the
// application/x-www-form-urlencoded format of the WHATWG URL Standard),
// the value of every field named in hidden, in any case and however its
// name is escaped: password=<hidden>, Password=<hidden>. A name that
// cannot be unescaped might be one of them: its value is hidden too.
func hideFields(fields string, hidden []string) string {
	pairs := strings.Split(fields, "&")
	for i, pair := range pairs {
		name, _, _ := strings.Cut(pair, "=")
		n, err := url.QueryUnescape(name)
		if err != nil || slices.ContainsFunc(hidden, func(h string) bool {
			return strings.EqualFold(h, n)
		}) {
			pairs[i] = name + "=<hidden>"
		}
	}
	return strings.Join(pairs, "&")
}

// hideAssignments hides, anywhere in text that is not a query or a form
// of its own (a header, a web page), the value after name= for every name
// in hidden: a server may send the address a request came to back, in a
// redirect's Location and the page that goes with it, key and all.
func hideAssignments(text string, hidden []string) string {
	for _, name := range hidden {
		// name=, not inside a longer name (monkey=), in any case; the
		// value runs to what ends one in an address, a page or a header.
		re := regexp.MustCompile(`(?i)(^|[^\w%-])(` + regexp.QuoteMeta(name) +
			`)=[^&;\s"'<>#]+`)
		text = re.ReplaceAllString(text, "${1}${2}=<hidden>")
	}
	return text
}

// wireBody returns how -v shows a body whose Content-Type is ctype, that
// is size bytes long (-1 if the length was not given) and starts with
// kept. Text (JSON, XML, a form, text/...) shows as it is, with the
// fields named in hidden hidden, and a line saying how much more there
// is when kept is not all of it. Anything else shows as its size and
// type, <1,396 bytes of image/png>. An empty body shows as nothing.
func wireBody(ctype string, kept []byte, size int64, hidden []string) string {
	media := mediaType(ctype)
	if !isText(media) {
		return bytesOf(size, media)
	}
	var lines []string
	switch {
	case len(kept) == 0:
	case media == "application/x-www-form-urlencoded":
		lines = append(lines, hideFields(string(kept), hidden))
	default:
		lines = append(lines, hideAssignments(string(kept), hidden))
	}
	switch more := size - int64(len(kept)); {
	case size < 0:
		lines = append(lines, "<more, length not given>")
	case more > 0:
		lines = append(lines, "<"+countBytes(more)+" more>")
	}
	return strings.Join(lines, "\n")
}

// mediaType returns the media type of a Content-Type, image/png for
// "image/png; x=y", or "" for none or a malformed one.
func mediaType(ctype string) string {
	media, _, err := mime.ParseMediaType(ctype)
	if err != nil {
		return ""
	}
	return media
}

// isText reports whether a body of the media type is text to show.
func isText(media string) bool {
	return strings.HasPrefix(media, "text/") ||
		strings.HasSuffix(media, "+json") || strings.HasSuffix(media, "+xml") ||
		slices.Contains([]string{"application/json", "application/xml",
			"application/x-www-form-urlencoded"}, media)
}

// bytesOf shows a body that is not text: <1,396 bytes of image/png>.
func bytesOf(size int64, media string) string {
	switch {
	case size == 0:
		return ""
	case size < 0:
		return "<" + cmp.Or(media, "bytes") + ", length not given>"
	case media == "":
		return "<" + countBytes(size) + ">"
	}
	return "<" + countBytes(size) + " of " + media + ">"
}

// countBytes writes n bytes as people read them: 1 byte, 1,396 bytes,
// 1,048,576 bytes.
func countBytes(n int64) string {
	if n == 1 {
		return "1 byte"
	}
	return thousands(n) + " bytes"
}
