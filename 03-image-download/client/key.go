package main

import (
	"errors"
	"fmt"
	"net/http"
)

// The key travels in the URL of the API call. It must reach no other
// server (here), and show in nothing the client prints (hide.go).

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
