package main

import (
	"io"
	"net/url"
	"strings"
)

// A gateway may echo what it was sent, in an error message or anywhere
// in its answer; with -plain-key, the password it echoes is the key.
// Whatever the client prints goes through a hider: its result, its
// error, and with -v the conversation.

// hider hides, in text, the value after password= (in any case), as -v
// hides it, and the key itself, as it is and escaped as a form or a URL
// path escapes it.
type hider struct{ key *strings.Replacer }

func newHider(key string) hider {
	const h = "<hidden>"
	return hider{strings.NewReplacer(key, h, url.QueryEscape(key), h,
		url.PathEscape(key), h)}
}

func (h hider) hide(text string) string {
	return hideAssignments(h.key.Replace(text), []string{"password"})
}

// writer returns w, with what is written to it hidden. Each line the
// client prints is one Write, so a secret is never cut in two.
func (h hider) writer(w io.Writer) io.Writer { return hidingWriter{w, h} }

type hidingWriter struct {
	w io.Writer
	h hider
}

func (hw hidingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(hw.w, hw.h.hide(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// hideError returns err with its text hidden; errors.Is and errors.As see
// err as it was.
func (h hider) hideError(err error) error {
	if err == nil || h.hide(err.Error()) == err.Error() {
		return err
	}
	return hiddenError{err, h.hide(err.Error())}
}

type hiddenError struct {
	err  error
	text string
}

func (e hiddenError) Error() string { return e.text }
func (e hiddenError) Unwrap() error { return e.err }
