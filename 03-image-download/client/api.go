package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxAPIReply bounds the API's JSON answer.
const maxAPIReply = 1 << 20

// apiReply is the API's answer: the older shape has the list at the top,
// the newer one under "result", as "newslist" or "list".
type apiReply struct {
	Code     *int      `json:"code"`
	Msg      string    `json:"msg"`
	Newslist []picture `json:"newslist"`
	Result   *struct {
		Newslist []picture `json:"newslist"`
		List     []picture `json:"list"`
	} `json:"result"`
}

type picture struct {
	PicURL string `json:"picUrl"`
}

// hints says what to do about the API's error codes.
var hints = map[int]string{
	230: "check the key: -key or the environment variable TIANAPI_KEY",
	270: "check -num",
	280: "a parameter is missing: check -api",
}

// link is one picture's address, as the API gave it.
type link struct {
	url   *url.URL // nil if it is not a link to fetch
	err   error    // why not
	shown string   // for messages
}

func (l link) String() string { return l.shown }

// askAPI asks the API for cfg.num pictures and returns their links. Notes
// on the answer go to logw.
func askAPI(ctx context.Context, client *http.Client, cfg config,
	logw io.Writer) ([]link, error) {
	body, err := callAPI(ctx, client, cfg)
	if err != nil {
		return nil, err
	}
	list, err := parseReply(body)
	if err != nil {
		return nil, err
	}
	if len(list) > cfg.num {
		fmt.Fprintf(logw, "the API listed %d pictures for -num %d: "+
			"taking the first %d\n", len(list), cfg.num, cfg.num)
		list = list[:cfg.num]
	}
	links := make([]link, len(list))
	for i, raw := range list {
		links[i] = parseLink(cfg.api, raw)
	}
	return links, nil
}

// callAPI sends the API its request and returns the body of the answer:
// a 200 OK of at most maxAPIReply bytes, whatever the JSON in it says.
func callAPI(ctx context.Context, client *http.Client, cfg config) ([]byte, error) {
	target, shown := requestURL(cfg)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("ask %s: %w", shown, err)
	}
	req.Header.Set("Accept", "application/json")
	keyed := *client // the same client, with a rule for redirects
	keyed.CheckRedirect = sameOrigin
	resp, err := keyed.Do(req)
	if err != nil {
		err = requestError(err)
		switch {
		case timedOut(err):
			return nil, fmt.Errorf("ask %s: no answer within -timeout %v: %w",
				shown, cfg.timeout, err)
		case refused(err):
			return nil, fmt.Errorf("ask %s: %w (is the server running? "+
				"go run ./03-image-download/server)", shown, err)
		}
		return nil, fmt.Errorf("ask %s: %w", shown, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIReply+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("ask %s: %w", shown, err)
	case resp.StatusCode != http.StatusOK:
		if text := strings.TrimSpace(string(body)); text != "" {
			return nil, fmt.Errorf("ask %s: %s: %s", shown, quote(resp.Status),
				quote(text))
		}
		return nil, fmt.Errorf("ask %s: %s", shown, quote(resp.Status))
	case len(body) > maxAPIReply:
		return nil, fmt.Errorf("ask %s: answer larger than %d bytes", shown, maxAPIReply)
	}
	return body, nil
}

// requestURL returns the URL that asks the API for cfg.num pictures with
// cfg.key, and the same URL to show in messages. The key is in the URL,
// and Go's errors quote the URL: the one shown has the key hidden.
func requestURL(cfg config) (target, shown string) {
	u := *cfg.api
	q := u.Query() // url.Values escapes what needs escaping
	q.Set("key", cfg.key)
	q.Set("num", strconv.Itoa(cfg.num))
	u.RawQuery = q.Encode()
	return u.String(), redacted(&u)
}

// parseReply checks the API's answer and returns the picture links in it.
func parseReply(body []byte) ([]string, error) {
	var reply apiReply
	if err := json.Unmarshal(body, &reply); err != nil {
		return nil, fmt.Errorf("the answer is not the API's JSON: %w: %s",
			err, quote(strings.TrimSpace(string(body))))
	}
	switch {
	case reply.Code == nil:
		return nil, fmt.Errorf("the answer has no code: %s",
			quote(strings.TrimSpace(string(body))))
	case *reply.Code != 200:
		// The message comes from the network: quoted, and not too long.
		err := fmt.Errorf("the API answered code %d: %s",
			*reply.Code, quote(reply.Msg))
		if hint, ok := hints[*reply.Code]; ok {
			err = fmt.Errorf("%w (%s)", err, hint)
		}
		return nil, err
	}
	list := reply.Newslist
	if list == nil && reply.Result != nil {
		list = reply.Result.Newslist
		if list == nil {
			list = reply.Result.List
		}
	}
	if len(list) == 0 {
		return nil, errors.New("the API answered success but listed no pictures")
	}
	links := make([]string, len(list))
	for i, p := range list {
		links[i] = p.PicURL
	}
	return links, nil
}

// parseLink resolves a picture's link against the API's address: a link
// may be relative ("/images/1.png"). Only http and https links to a file
// are fetched.
func parseLink(api *url.URL, raw string) link {
	var l link
	u, err := api.Parse(raw)
	if err == nil {
		// Shown without its query, which may hold a key, and without
		// a password.
		shown := *u
		if shown.RawQuery != "" {
			shown.RawQuery = "..."
		}
		l.shown = quote(shown.Redacted())
	} else {
		l.shown = shownLink(raw)
	}
	switch {
	case strings.TrimSpace(raw) == "":
		l.shown = "an empty link"
		l.err = errors.New("not a link to a picture")
	case strings.HasPrefix(raw, "?") || strings.HasPrefix(raw, "#"):
		// It would lead back to the API itself.
		l.shown = shownLink(raw)
		l.err = errors.New("not a link to a picture")
	case err != nil:
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // it repeats the link, query and all
		}
		l.err = fmt.Errorf("not a link: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		l.err = errors.New("not an http or https link")
	default:
		l.url = u
	}
	return l
}

// shownLink is a link that is not a URL as messages show it: without its
// query, which may hold a key, and quoted.
func shownLink(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i] + "?..."
	}
	return quote(raw)
}

// redacted returns u as text with the key's value hidden.
func redacted(u *url.URL) string {
	c := *u
	q := c.Query()
	if q.Has("key") {
		q.Set("key", "REDACTED")
		c.RawQuery = q.Encode()
	}
	return c.Redacted()
}
