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

const maxReply = 64 << 10 // bytes of the gateway's answer, at most

// submit posts form to the gateway once and returns its answer. It never
// tries again: if the answer is lost, the message may have been sent,
// and a second post would send it twice.
func submit(ctx context.Context, client *http.Client, gateway string,
	form url.Values) (*result, error) {
	// An HTML form's body: key=value pairs joined with &, a space as +,
	// other bytes than letters, digits and -._~ as %XX (你: %E4%BD%A0).
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
	// The status first, then the body, quoted: both are the gateway's
	// choice of bytes.
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

// postError says what a failed post to host means for the message: after
// a timeout or a Ctrl-C it may have been sent; if refused, it was not.
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

// parseResult reads the gateway's answer: the JSON asked for, or XML,
// which the gateway sends when not asked.
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
	switch _, err := strconv.Atoi(string(res.Code)); {
	case res.Code == "":
		return nil, errors.New("the answer has no code")
	case err != nil:
		return nil, fmt.Errorf("the answer's code %q is not a number", res.Code)
	}
	return &res, nil
}
