// This file is the same in 03-image-download/client and 05-sms/client; a
// test keeps the copies identical.

package main

import (
	"encoding/json"
	"html"
	"io"
	"net/url"
	"regexp"
	"strings"
)

// A server may send back what it was sent anywhere: an error message
// ("key s3cr3t is wrong"), a status line, a link, a page. So a client
// hides its secret in all it prints (output, error, -v): a hider hides it
// as it is and as a query, a URL path, HTML or JSON escape it, in any
// letter case (%2f is %2F), and the value of any of fields= (password=).
type hider struct {
	secret *regexp.Regexp // nil: no secret to hide
	fields []string
}

// newHider returns a hider of secret ("" for none) and fields.
func newHider(secret string, fields ...string) hider {
	if secret == "" {
		return hider{fields: fields}
	}
	asJSON, _ := json.Marshal(secret) // a string always marshals
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		html.EscapeString(secret), strings.Trim(string(asJSON), `"`),
		strings.ReplaceAll(secret, "/", `\/`)} // PHP's JSON escapes "/"
	for i, f := range forms {
		forms[i] = regexp.QuoteMeta(f)
	}
	re := regexp.MustCompile("(?i)" + strings.Join(forms, "|"))
	re.Longest() // the longest form that matches, not a shorter one in it
	return hider{re, fields}
}

func (h hider) hide(text string) string {
	if h.secret != nil {
		text = h.secret.ReplaceAllLiteralString(text, "<hidden>")
	}
	return hideAssignments(text, h.fields)
}

// writer returns w, hiding what is written: each line the client prints
// is one Write, so a secret is never cut in two, nor lines mixed.
func (h hider) writer(w io.Writer) io.Writer { return hidingWriter{w, h} }

type hidingWriter struct {
	io.Writer
	h hider
}

func (hw hidingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(hw.Writer, hw.h.hide(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// hideError returns err with its text hidden; errors.Is and errors.As see
// err as it was.
func (h hider) hideError(err error) error {
	if err != nil && h.hide(err.Error()) != err.Error() {
		return hiddenError{err, h.hide(err.Error())}
	}
	return err
}

type hiddenError struct {
	error
	text string
}

func (e hiddenError) Error() string { return e.text }
func (e hiddenError) Unwrap() error { return e.error }
