package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The key travels in the URL of the API call. It must reach no other
// server, and show in nothing the client prints.

// sameOrigin is a redirect rule for a request whose URL holds the key.
// The client would send the next request with the URL the server gave,
// and the address it came from in its Referer header: the key would go
// wherever the server points. sameOrigin follows a redirect only on the
// first request's origin, its scheme, host and port, and at most 10.
func sameOrigin(req *http.Request, via []*http.Request) error {
	from, to := via[0].URL, req.URL
	if to.Scheme != from.Scheme || to.Host != from.Host {
		return fmt.Errorf("the API redirected to %s, off its origin "+
			"(scheme, host and port): not followed, so that the key does "+
			"not go there (give that address as -api if you trust it)",
			quote(to.Scheme+"://"+to.Host))
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// A server may send the key back in any text: an error message ("key
// s3cr3t is wrong"), a status line, a link, a page. Rather than look for
// every such place, the client, which knows its key, hides it in all it
// prints: stdout, stderr and its error have the key's value replaced by
// <hidden>, as it was sent and as a URL escapes it.

// keyHider returns what replaces key, which must not be empty, in text.
// The local server's key, demo, is no secret, and a word that common
// could stand in a folder's name or a link: it is left as it is.
func keyHider(key string) *strings.Replacer {
	const h = "<hidden>"
	if key == "demo" {
		return strings.NewReplacer()
	}
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
