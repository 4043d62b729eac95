package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// newClient returns the HTTP client the program posts with.
func newClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		// A redirect would post the form again, elsewhere: a second
		// send, and the key to a stranger. Take it as an answer.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// submit posts form to the gateway once and returns its answer. It never
// tries again by itself: if the answer is lost, the message may have been
// sent, and a second post would send it twice.
func submit(ctx context.Context, client *http.Client, gateway *url.URL,
	form url.Values) (*result, error) {
	// A form travels as key=value pairs joined with &, each byte other
	// than letters, digits and -._~ escaped as %XX (%E4%BD%A0 for 你),
	// a space as +: the body of an HTML form's POST.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, gateway.String(),
		strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Accept", "application/json, text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return nil, postError(ctx, gateway.Host, err)
	}
	defer resp.Body.Close()
	return readAnswer(resp)
}

// postError says what a failed post means for the message: on a timeout
// or a Ctrl-C, it may have been sent all the same; a refused connection
// sent nothing. host is the gateway's.
func postError(ctx context.Context, host string, err error) error {
	err = requestError(err)
	switch {
	case ctx.Err() != nil:
		return errors.New("interrupted: the message may or may not have been sent")
	case timedOut(err):
		return fmt.Errorf("post to %s: no answer in time: %w (the message "+
			"may still have been sent: check before sending again)", host, err)
	case refused(err):
		return fmt.Errorf("post to %s: %w (is the gateway running? "+
			"go run ./05-sms/server)", host, err)
	}
	return fmt.Errorf("post to %s: %w", host, err)
}
