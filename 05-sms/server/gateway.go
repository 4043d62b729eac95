package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// messages are the real gateway's codes and what it says for each. Every
// answer it understands goes with HTTP 200: the code says what happened.
var messages = map[int]string{
	0:    "提交失败", // failed
	2:    "提交成功", // submitted
	400:  "非法IP访问",
	401:  "帐号不能为空",
	402:  "密码不能为空",
	403:  "手机号码不能为空",
	404:  "短信内容不能为空",
	405:  "API ID 或 API KEY 不正确",
	406:  "手机格式不正确",
	407:  "短信内容含有敏感字符",
	4073: "短信内容超出长度限制",
	4080: "同一手机号码同一秒钟之内发送频率不能超过1条",
	4085: "同一手机号码验证码短信发送超出5条",
}

const (
	maxBody    = 16 << 10 // bytes of form
	maxContent = 500      // characters (runes), not bytes
	submitPath = "/webservice/sms.php"
)

// sensitiveWords stand in for the real gateway's unpublished list (code
// 407): two made-up words, matched in any letter case.
var sensitiveWords = []string{"badword", "敏感词"}

// gateway checks and "delivers" messages, and counts today's sends to
// each number for the rate limits.
type gateway struct {
	account, key string
	now          func() time.Time // tests set a fake clock
	stdout       io.Writer        // where delivered messages are printed
	log          *log.Logger
	maxNumbers   int // the most numbers in sent; a new one waits a day

	mu   sync.Mutex         // guards what follows, and stdout
	day  string             // the date the counts in sent are for
	sent map[string]sendLog // by number, as normalizeMobile gives it
}

func newGateway(account, key string, stdout io.Writer,
	logger *log.Logger) *gateway {
	return &gateway{account: account, key: key, now: time.Now,
		stdout: stdout, log: logger, maxNumbers: maxNumbers}
}

// handler routes the gateway's one path; the router answers 405 (and
// "Allow: POST") to other methods, 404 to other paths.
func (g *gateway) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+submitPath, g.submit)
	return mux
}

// submit answers POST /webservice/sms.php?method=Submit, whose body is a
// form (application/x-www-form-urlencoded): name=value pairs joined by &,
// bytes other than letters and digits escaped as %XX.
//
// Past maxBody bytes the answer is HTTP 413, before the body is read if
// Content-Length says so: a client that sent "Expect: 100-continue" then
// never sends it (net/http sends 100 Continue at the first read).
func (g *gateway) submit(w http.ResponseWriter, r *http.Request) {
	var err error = &http.MaxBytesError{Limit: maxBody}
	if r.ContentLength <= maxBody { // -1 if not given: read up to maxBody
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		err = r.ParseForm()
	}
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		g.log.Printf("POST %s: body over %d bytes, HTTP 413", r.RemoteAddr,
			maxBody)
		w.Header().Set("Connection", "close") // the rest is not read
		http.Error(w, fmt.Sprintf("request body larger than %d bytes",
			maxBody), http.StatusRequestEntityTooLarge)
		return
	}
	// The body's fields only: a key in a URL ends up in logs.
	form := r.PostForm
	code, smsid := g.check(r, err), "0" // "0": nothing sent
	number, _ := normalizeMobile(form.Get("mobile"))
	if code == 2 {
		code, smsid = g.deliver(number, form.Get("content"))
	}
	g.log.Printf("POST %s %s code %d smsid %s", r.RemoteAddr,
		mask(form.Get("mobile")), code, smsid)
	writeAnswer(w, result{Code: code, Msg: messages[code], SMSID: smsid},
		form.Get("format"))
}

// check returns the code for a request whose form parsing returned
// parseErr: the first problem in the real gateway's order, else 2.
func (g *gateway) check(r *http.Request, parseErr error) int {
	form := r.PostForm
	mobile, content := form.Get("mobile"), form.Get("content")
	_, mobileErr := normalizeMobile(mobile)
	switch {
	// A method other than Submit is code 0, not HTTP 404: a client that
	// reads codes gets an answer it knows.
	case parseErr != nil, r.URL.Query().Get("method") != "Submit":
		return 0
	case !isLoopbackAddr(r.RemoteAddr):
		// The real gateway refuses IPs not on the account's list; this
		// one's list is loopback, even with -addr 0.0.0.0:8080.
		return 400
	case form.Get("account") == "":
		return 401
	case form.Get("password") == "":
		return 402
	case mobile == "":
		return 403
	case content == "":
		return 404
	case !g.authorized(form):
		return 405
	case mobileErr != nil:
		return 406
	case slices.ContainsFunc(sensitiveWords, func(word string) bool {
		return strings.Contains(strings.ToLower(content), word)
	}):
		return 407
	case utf8.RuneCountInString(content) > maxContent:
		return 4073
	}
	return 2
}

// result is the gateway's answer, in JSON or in XML.
type result struct {
	XMLName xml.Name `json:"-" xml:"http://106.ihuyi.com/ SubmitResult"`
	Code    int      `json:"code" xml:"code"`
	Msg     string   `json:"msg" xml:"msg"`
	SMSID   string   `json:"smsid" xml:"smsid"`
}

const xmlDeclaration = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

// writeAnswer sends res in an HTTP 200: in JSON if format is "json", else
// in XML, the real gateway's default, after xmlDeclaration as it does.
func writeAnswer(w http.ResponseWriter, res result, format string) {
	ctype, marshal, start := "text/xml", xml.Marshal, xmlDeclaration
	if format == "json" {
		ctype, marshal, start = "application/json", json.Marshal, ""
	}
	body, _ := marshal(res) // neither Marshal fails on strings and an int
	w.Header().Set("Content-Type", ctype+"; charset=utf-8")
	_, _ = w.Write(append([]byte(start), body...)) // a client gone is no concern
}
