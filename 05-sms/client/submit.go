package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
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

// maxReply bounds the gateway's answer.
const maxReply = 64 << 10

// submit posts form to the gateway once and returns its answer. It never
// tries again by itself: if the answer is lost, the message may have been
// sent, and a second post would send it twice.
func submit(ctx context.Context, client *http.Client, gateway string,
	form url.Values) (*result, error) {
	// A form travels as key=value pairs joined with &, each byte other
	// than letters, digits and -._~ escaped as %XX (%E4%BD%A0 for 你),
	// a space as +: the body of an HTML form's POST.
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, gateway,
		strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Accept", "application/json, text/xml")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// The status first, then at most maxReply bytes of the gateway's
	// JSON or XML. What came is shown in Go's quoted form: a status line,
	// a body, it is all the gateway's choice of bytes.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read the answer: %w", err)
	case resp.StatusCode != http.StatusOK && len(body) == 0:
		return nil, fmt.Errorf("the gateway answered %q", resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("the gateway answered %q: %.200q", resp.Status, body)
	case len(body) > maxReply:
		return nil, fmt.Errorf("the gateway answered %q, with more than %d KiB",
			resp.Status, maxReply>>10)
	}
	res, err := parseResult(body)
	if err != nil {
		return nil, fmt.Errorf("the gateway answered %q, but %w: %.200q",
			resp.Status, err, body)
	}
	return res, nil
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

// result is the gateway's answer, in JSON or in XML.
type result struct {
	XMLName xml.Name    `json:"-" xml:"SubmitResult"` // not html
	Code    json.Number `json:"code" xml:"code"`      // 2 or "2"
	Msg     string      `json:"msg" xml:"msg"`
	SMSID   string      `json:"smsid" xml:"smsid"`
}

// parseResult reads the gateway's answer: JSON when asked for (it was),
// or XML, which the gateway sends when not.
func parseResult(body []byte) (*result, error) {
	format, decode := "JSON", json.Unmarshal
	switch trimmed := bytes.TrimSpace(body); {
	case bytes.HasPrefix(trimmed, []byte("<")):
		format, decode = "XML", xml.Unmarshal
	case !bytes.HasPrefix(trimmed, []byte("{")):
		return nil, errors.New("the answer is neither JSON nor XML")
	}
	var res result
	if err := decode(body, &res); err != nil {
		return nil, fmt.Errorf("the answer is not the gateway's %s (%q)",
			format, err)
	}
	if res.Code == "" {
		return nil, errors.New("the answer has no code")
	}
	if _, err := strconv.Atoi(string(res.Code)); err != nil {
		return nil, fmt.Errorf("the answer's code %q is not a number", res.Code)
	}
	return &res, nil
}
