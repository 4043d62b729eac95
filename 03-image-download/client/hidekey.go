package main

import (
	"io"
	"net/url"
	"strings"
)

// A server may send the key back in any text: an error message ("key
// s3cr3t is wrong"), a status line, a link, a page. Rather than look for
// every such place, the client, which knows its key, hides it in all it
// prints: stdout, stderr and its error have the key's value replaced by
// <hidden>, as it was sent and as a URL escapes it.

// keyHider returns what replaces key, which must not be empty, in text.
func keyHider(key string) *strings.Replacer {
	const h = "<hidden>"
	return strings.NewReplacer(key, h, url.QueryEscape(key), h,
		url.PathEscape(key), h)
}

// hidingWriter writes to w with the key hidden. Each line the client
// prints is one Write, so a key is never split between two of them.
type hidingWriter struct {
	w    io.Writer
	hide *strings.Replacer
}

func (h hidingWriter) Write(p []byte) (int, error) {
	// One Write to w, so lines printed at once by workers never mix.
	if _, err := io.WriteString(h.w, h.hide.Replace(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// hiddenError is err with the key hidden in its text; errors.Is and
// errors.As still see err.
type hiddenError struct {
	err  error
	hide *strings.Replacer
}

func (e hiddenError) Error() string { return e.hide.Replace(e.err.Error()) }
func (e hiddenError) Unwrap() error { return e.err }
