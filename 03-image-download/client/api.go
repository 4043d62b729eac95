package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
)

// maxAPIReply bounds the API's JSON answer.
const maxAPIReply = 1 << 20

// askAPI asks the API for cfg.num pictures and returns their links.
func askAPI(ctx context.Context, client *http.Client,
	cfg config) ([]string, error) {
	u := *cfg.api
	q := u.Query() // url.Values escapes what needs escaping
	q.Set("key", cfg.key)
	q.Set("num", strconv.Itoa(cfg.num))
	u.RawQuery = q.Encode()
	var body []byte
	resp, err := get(ctx, client, u.String(), "application/json")
	if err == nil {
		defer resp.Body.Close()
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxAPIReply+1))
	}
	if err == nil && len(body) > maxAPIReply {
		err = fmt.Errorf("answer larger than %d bytes", maxAPIReply)
	}
	if err != nil { // the URL without the query we added: no key
		return nil, fmt.Errorf("ask %s: %w", cfg.api.Redacted(), err)
	}
	return parseReply(body)
}

// get returns the answer to a GET for target if it is 200 OK; else an
// error with the status and the start of the body.
func get(ctx context.Context, client *http.Client,
	target, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	resp, err := client.Do(req)
	if err != nil {
		return nil, requestError(err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		text, _ := io.ReadAll(io.LimitReader(resp.Body, 200)) // for the message
		return nil, fmt.Errorf("%.200q: %q", resp.Status, bytes.TrimSpace(text))
	}
	return resp, nil
}

// hints says what to do about the API's error codes.
var hints = map[int]string{
	230: "check the key: -key or the environment variable TIANAPI_KEY",
	270: "check -num",
	280: "a parameter is missing: check -api",
}

// parseReply checks the API's answer and returns the picture links in it:
// at the top (the older API), or under "result" as "newslist" or "list".
func parseReply(body []byte) ([]string, error) {
	type list []struct {
		PicURL string `json:"picUrl"`
	}
	var reply struct {
		Code     *int
		Msg      string
		Newslist list
		Result   struct{ Newslist, List list }
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		return nil, fmt.Errorf("the answer is not the API's JSON: %w: %.200q",
			err, bytes.TrimSpace(body))
	}
	switch {
	case reply.Code == nil:
		return nil, fmt.Errorf("the answer has no code: %.200q",
			bytes.TrimSpace(body))
	case *reply.Code != 200:
		err := fmt.Errorf("the API answered code %d: %.200q", *reply.Code,
			reply.Msg)
		if hint, ok := hints[*reply.Code]; ok {
			err = fmt.Errorf("%w (%s)", err, hint)
		}
		return nil, err
	}
	var links []string
	for _, p := range slices.Concat(reply.Newslist, reply.Result.Newslist,
		reply.Result.List) {
		links = append(links, p.PicURL)
	}
	if len(links) == 0 {
		return nil, errors.New("the API answered success but listed no pictures")
	}
	return links, nil
}

// sameOrigin is the client's redirect rule: a request whose URL holds
// the key (which the next request would carry in its Referer header) is
// followed only on its origin (scheme, host and port). At most 10.
func sameOrigin(req *http.Request, via []*http.Request) error {
	from, to := via[0].URL, req.URL
	if from.Query().Has("key") &&
		(to.Scheme != from.Scheme || to.Host != from.Host) {
		return fmt.Errorf("the API redirected to %q, off its origin: not "+
			"followed, so that the key does not go there (give that "+
			"address as -api if you trust it)", to.Scheme+"://"+to.Host)
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}
