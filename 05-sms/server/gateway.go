package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The gateway's answer codes: the real API's, with its messages (below)
// in Chinese, as a client of the real gateway sees them. Every answer the
// gateway understands goes with HTTP 200; the code says what happened.
const (
	codeFailed     = 0    // failed: a malformed request, or no room left
	codeSubmitted  = 2    // submitted: the message is on its way
	codeIllegalIP  = 400  // the caller's IP is not allowed (isLoopbackAddr)
	codeNoAccount  = 401  // account is empty
	codeNoPassword = 402  // password is empty
	codeNoMobile   = 403  // mobile is empty
	codeNoContent  = 404  // content is empty
	codeBadKey     = 405  // wrong API ID (account) or API key
	codeBadMobile  = 406  // the mobile number has a bad format
	codeSensitive  = 407  // the content holds a sensitive word
	codeTooLong    = 4073 // the content is longer than maxContent
	codeTooFast    = 4080 // more than one message a second to one number
	codeTooManyDay = 4085 // over maxPerDay verification messages a day
)

var messages = map[int]string{
	codeFailed:     "提交失败",
	codeSubmitted:  "提交成功",
	codeIllegalIP:  "非法IP访问",
	codeNoAccount:  "帐号不能为空",
	codeNoPassword: "密码不能为空",
	codeNoMobile:   "手机号码不能为空",
	codeNoContent:  "短信内容不能为空",
	codeBadKey:     "API ID 或 API KEY 不正确",
	codeBadMobile:  "手机格式不正确",
	codeSensitive:  "短信内容含有敏感字符",
	codeTooLong:    "短信内容超出长度限制",
	codeTooFast:    "同一手机号码同一秒钟之内发送频率不能超过1条",
	codeTooManyDay: "同一手机号码验证码短信发送超出5条",
}

const (
	maxBody    = 16 << 10 // bytes of form
	maxContent = 500      // characters (runes), not bytes
	submitPath = "/webservice/sms.php"
)

// sensitiveWords stands in for the real gateway's long, unpublished list
// of words it refuses (code 407): two made-up words, so that learners and
// tests can see the code without sending anything rude. Latin letters
// match in any case.
var sensitiveWords = []string{"badword", "敏感词"}

// gateway checks and "delivers" messages, and remembers today's sends to
// each number for the rate limits.
type gateway struct {
	account string
	key     string
	now     func() time.Time // the clock; tests pass a fake one
	stdout  io.Writer        // where delivered messages are printed
	log     *log.Logger
	// maxNumbers bounds sent: once it holds that many numbers, a new
	// number waits for the next day (code 0).
	maxNumbers int

	mu    sync.Mutex         // guards what follows, and stdout
	today time.Time          // the day the counts in sent are for
	sent  map[string]sendLog // by number, as normalizeMobile gives it
}

func newGateway(account, key string, now func() time.Time,
	stdout io.Writer, logger *log.Logger) *gateway {
	return &gateway{account: account, key: key, now: now, stdout: stdout,
		log: logger, maxNumbers: maxNumbers, sent: map[string]sendLog{}}
}

// handler routes the one path the gateway has. The router answers other
// methods on it with 405 Method Not Allowed (and "Allow: POST"), and
// other paths with 404 Not Found.
func (g *gateway) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+submitPath, g.submit)
	return mux
}

// submit answers POST /webservice/sms.php?method=Submit.
//
// The client sends its fields as an HTML form would: the body is
// application/x-www-form-urlencoded, name=value pairs joined by &, with
// spaces, non-ASCII letters (as UTF-8) and & = % escaped as %XX. The body
// is cut off at maxBody bytes, so no client can make the server read for
// ever; past it the answer is HTTP 413 Content Too Large.
//
// A body whose Content-Length is over maxBody is refused before a byte
// of it is read: a client that sent "Expect: 100-continue" waits for the
// go-ahead (100 Continue, which net/http sends when the body is first
// read), and gets 413 before it has sent the body.
func (g *gateway) submit(w http.ResponseWriter, r *http.Request) {
	var err error = &http.MaxBytesError{Limit: maxBody}
	if r.ContentLength <= maxBody { // -1 if not given: read up to maxBody
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		g.log.Printf("%s %s: body over %d bytes, HTTP 413",
			quote(r.Method), r.RemoteAddr, maxBody)
		w.Header().Set("Connection", "close") // the rest is not read
		http.Error(w, fmt.Sprintf("request body larger than %d bytes",
			maxBody), http.StatusRequestEntityTooLarge)
		return
	}
	// Only the body's fields count, not the URL's: a key in a URL ends
	// up in logs and browser histories.
	form := r.PostForm
	code := g.check(r, err)
	number, _ := normalizeMobile(form.Get("mobile"))
	smsid := "0" // the smsid when nothing was sent
	if code == codeSubmitted {
		code, smsid = g.deliver(number, form.Get("content"))
	}
	g.log.Printf("%s %s %s code %d smsid %s", quote(r.Method), r.RemoteAddr,
		mask(form.Get("mobile")), code, smsid)
	writeAnswer(w, result{Code: code, Msg: messages[code], SMSID: smsid},
		form.Get("format"))
}

// check returns the code for a request, testing in the real gateway's
// order: the first problem found is the one answered. parseErr is what
// parsing the form returned. It returns codeSubmitted if the message may
// go, rate limits aside.
func (g *gateway) check(r *http.Request, parseErr error) int {
	form := r.PostForm
	mobile, content := form.Get("mobile"), form.Get("content")
	switch {
	// A method other than Submit (or none) gets code 0, failed, not
	// HTTP 404: a client that reads codes gets an answer it knows.
	case parseErr != nil, r.URL.Query().Get("method") != "Submit":
		return codeFailed
	case !isLoopbackAddr(r.RemoteAddr):
		// The real gateway answers 400 to a caller whose IP is not
		// on the account's list; this one's list is the loopback
		// addresses, so even with -addr 0.0.0.0:8080 other machines
		// are refused.
		return codeIllegalIP
	case form.Get("account") == "":
		return codeNoAccount
	case form.Get("password") == "":
		return codeNoPassword
	case mobile == "":
		return codeNoMobile
	case content == "":
		return codeNoContent
	case !g.authorized(form):
		return codeBadKey
	}
	if _, err := normalizeMobile(mobile); err != nil {
		return codeBadMobile
	}
	lower := strings.ToLower(content)
	for _, word := range sensitiveWords {
		if strings.Contains(lower, word) {
			return codeSensitive
		}
	}
	if utf8.RuneCountInString(content) > maxContent {
		return codeTooLong
	}
	return codeSubmitted
}
