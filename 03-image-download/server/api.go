package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The real API's codes: 200 is success, any other an error with a
// message, still sent with HTTP status 200.
const (
	codeOK        = 200
	codeBadKey    = 230 // the key is wrong or missing
	codeBadParam  = 270 // a parameter has a bad value
	codeNoParam   = 280 // a required parameter is missing
	maxPerRequest = 50  // the most pictures one request may ask for
)

// api answers the picture API's two kinds of request.
type api struct {
	key      string
	pictures [][]byte // PNG files, encoded once at start-up
	delay    time.Duration
	log      *log.Logger
}

func (a *api) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /meinv/{$}", a.list)
	mux.HandleFunc("GET /images/{name}", a.picture)
	return mux
}

// item is one picture in the API's answer, with the real API's fields.
type item struct {
	Ctime       string `json:"ctime"`
	Title       string `json:"title"`
	Description string `json:"description"`
	PicURL      string `json:"picUrl"`
	URL         string `json:"url"`
}

// list answers GET /meinv/?key=K&num=N. Like the real API, it answers
// every request it understands with HTTP 200 and says in the JSON whether
// it worked: code 200 and a list, or another code and a message.
func (a *api) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	num, ok := number(q.Get("num"))
	switch {
	case q.Get("key") != a.key:
		a.reply(w, codeBadKey, "API key is wrong or missing", nil)
		return
	case !q.Has("num"):
		a.reply(w, codeNoParam, "missing parameter: num", nil)
		return
	case !ok || num < 1 || num > maxPerRequest:
		a.reply(w, codeBadParam, fmt.Sprintf("num must be a whole number "+
			"from 1 to %d, in digits", maxPerRequest), nil)
		return
	}
	base := linkBase(r)
	list := make([]item, num)
	for i := range list {
		n := i%len(a.pictures) + 1
		list[i] = item{
			Ctime:       "2026-11-25 10:00",
			Title:       fmt.Sprintf("Picture %d", n),
			Description: "A picture drawn by the local picture API.",
			PicURL:      fmt.Sprintf("%s/images/%d.png", base, n),
			URL:         fmt.Sprintf("%s/images/%d.png", base, n),
		}
	}
	a.reply(w, codeOK, "success", list)
}

func (a *api) reply(w http.ResponseWriter, code int, msg string, list []item) {
	body, _ := json.Marshal(struct { // strings and numbers always marshal
		Code     int    `json:"code"`
		Msg      string `json:"msg"`
		Newslist []item `json:"newslist,omitempty"`
	}{code, msg, list})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body) // a client that went away is no concern of ours
}

// picture serves GET /images/N.png.
func (a *api) picture(w http.ResponseWriter, r *http.Request) {
	digits, isPNG := strings.CutSuffix(r.PathValue("name"), ".png")
	n, ok := number(digits)
	if !isPNG || !ok || n < 1 || n > len(a.pictures) {
		http.NotFound(w, r)
		return
	}
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-r.Context().Done():
			return // the client gave up
		}
	}
	pic := a.pictures[n-1]
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(pic)))
	if _, err := w.Write(pic); err != nil {
		a.log.Printf("%s %q: %v", r.RemoteAddr, r.URL.Path, err)
	}
}

// linkBase returns the start of the links in the answer to r: "http://"
// and the address r's connection came in on, as the system reports it.
// The Host header is only what the client wrote: "Host: evil.example:666"
// would get links there, which a cache would hand to everyone.
func linkBase(r *http.Request) string {
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return "" // not from an http.Server: links relative to the API
	}
	return (&url.URL{Scheme: "http", Host: addr.String()}).String()
}

// number reads s as a whole number in its one spelling: digits, with no
// sign, leading zero or space ("5", never "+5", "05" or " 5"), so that
// no spelling slips past a check that compares text.
func number(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && s == strconv.Itoa(n)
}
