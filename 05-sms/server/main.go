// Command server is a local stand-in for the SMS gateway the tutorial
// calls in its section "send messages" (106.ihuyi.com): an HTTP server that
// takes POST /webservice/sms.php?method=Submit with a form (account,
// password, mobile, content), checks it the way the real gateway does, and
// answers with the real gateway's codes in JSON or XML.
//
// Instead of sending a text message, it "delivers" each one it accepts by
// printing it on stdout, with the middle of the number hidden (and the
// text quoted if it holds control characters, cut after 200 bytes), so
// the chapter runs with no account, no phone and no internet connection.
//
//	go run ./05-sms/server
//	go run ./05-sms/client -mobile 13812345678
//
// The API key comes from the environment, never a flag (default demo-key):
//
//	SMS_APIKEY=my-test-key go run ./05-sms/server -account C12345678
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"
)

// The gateway's answer codes: the real API's, with its messages (below)
// in Chinese, as a client of the real gateway sees them. Every answer the
// gateway understands goes with HTTP 200; the code says what happened.
const (
	codeFailed     = 0    // failed: a malformed request, or no room left
	codeSubmitted  = 2    // submitted: the message is on its way
	codeIllegalIP  = 400  // the caller's IP is not allowed (fromLoopback)
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

const (
	maxBody        = 16 << 10 // bytes of form
	maxContent     = 500      // characters (runes), not bytes
	maxPerDay      = 5        // to one number: here every message is a code
	maxNumbers     = 100_000  // different numbers remembered in one day
	passwordMaxAge = 10 * time.Minute
	defaultAPIKey  = "demo-key"
	submitPath     = "/webservice/sms.php"
	xmlDeclaration = `<?xml version="1.0" encoding="utf-8"?>` + "\n"
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

// sensitiveWords stands in for the real gateway's long, unpublished list
// of words it refuses (code 407): two made-up words, so that learners and
// tests can see the code without sending anything rude. Latin letters
// match in any case.
var sensitiveWords = []string{"badword", "敏感词"}

// errUsage reports a mistake on the command line. The flag package has
// already printed what was wrong, so main only exits with status 2.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first Ctrl-C asks for a clean stop; once it has, a second one
	// ends the program at once, as usual.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] "+
			"[-account ID] [-max-conns N]\n(the API key comes from the "+
			"environment variable SMS_APIKEY, default "+defaultAPIKey+")")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on "+
		"(callers that are not on this machine get code 400)")
	account := fs.String("account", "demo", "the API ID the gateway accepts")
	maxConns := fs.Int("max-conns", 256, "the most connections open "+
		"at once; more wait in the system's queue")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case *account == "":
		problem = "-account must not be empty"
	case *maxConns < 1:
		problem = "-max-conns must be at least 1"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return errUsage
	}

	// The key is a secret: it comes from the environment and is never
	// printed, unless it is the well-known demo key.
	key, keyFrom := getenv("SMS_APIKEY"), "from SMS_APIKEY"
	if key == "" {
		key, keyFrom = defaultAPIKey, defaultAPIKey+", as SMS_APIKEY is unset"
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return explainListen(err, *addr)
	}
	logger := log.New(stderr, "", log.LstdFlags)
	logger.Printf("listening on %s (account %s, key %s)",
		ln.Addr(), *account, keyFrom)
	g := newGateway(*account, key, time.Now, stdout, logger)
	if err := serve(ctx, ln, g.handler(), *maxConns, logger); err != nil {
		return err
	}
	logger.Print("stopped")
	return nil
}

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
	sent  map[string]sendLog // by number, as normalised
}

// sendLog is what the gateway remembers about one number today.
type sendLog struct {
	last  time.Time // when the last message to it was accepted
	count int       // how many were accepted today
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

// result is the gateway's answer, in JSON or in XML.
type result struct {
	XMLName xml.Name `json:"-" xml:"http://106.ihuyi.com/ SubmitResult"`
	Code    int      `json:"code" xml:"code"`
	Msg     string   `json:"msg" xml:"msg"`
	SMSID   string   `json:"smsid" xml:"smsid"`
}

// submit answers POST /webservice/sms.php?method=Submit.
//
// The client sends its fields as an HTML form would: the body is
// application/x-www-form-urlencoded, name=value pairs joined by &, with
// spaces, non-ASCII letters (as UTF-8) and & = % escaped as %XX. The body
// is cut off at maxBody bytes, so no client can make the server read for
// ever; past it the answer is HTTP 413 Content Too Large.
func (g *gateway) submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	err := r.ParseForm()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		g.log.Printf("%s %s: body over %d bytes, HTTP 413",
			quote(r.Method), r.RemoteAddr, maxBody)
		http.Error(w, fmt.Sprintf("request body larger than %d bytes",
			maxBody), http.StatusRequestEntityTooLarge)
		return
	}
	// Only the body's fields count, not the URL's: a key in a URL ends
	// up in logs and browser histories.
	form := r.PostForm
	code := g.check(r, err)
	number, _ := normalise(form.Get("mobile"))
	smsid := "0" // the smsid when nothing was sent
	if code == codeSubmitted {
		code, smsid = g.deliver(number, form.Get("content"))
	}
	g.log.Printf("%s %s %s code %d smsid %s", quote(r.Method), r.RemoteAddr,
		masked(form.Get("mobile")), code, smsid)

	res := result{Code: code, Msg: messages[code], SMSID: smsid}
	var body []byte
	if form.Get("format") == "json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		body, err = json.Marshal(res)
	} else {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		body, err = xml.Marshal(res)
		body = append([]byte(xmlDeclaration), body...)
	}
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(body) // a client that went away is no concern of ours
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
	case !fromLoopback(r.RemoteAddr):
		return codeIllegalIP
	case form.Get("account") == "":
		return codeNoAccount
	case form.Get("password") == "":
		return codeNoPassword
	case mobile == "":
		return codeNoMobile
	case content == "":
		return codeNoContent
	case !g.authorised(form):
		return codeBadKey
	}
	if _, ok := normalise(mobile); !ok {
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

// fromLoopback reports whether a request came from this machine. The real
// gateway answers 400 to a caller whose IP is not on the account's list;
// this one's list is the loopback addresses, so even with -addr
// 0.0.0.0:8080 other machines are refused, and a request from this
// machine never gets 400.
func fromLoopback(remoteAddr string) bool {
	ap, err := netip.ParseAddrPort(remoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// normalise checks a Chinese mobile number: 11 digits starting with 1,
// perhaps after a +86 or 86 country code. It returns the 11 digits.
func normalise(mobile string) (string, bool) {
	switch {
	case strings.HasPrefix(mobile, "+86"):
		mobile = mobile[len("+86"):]
	case strings.HasPrefix(mobile, "86") && len(mobile) == 13:
		mobile = mobile[len("86"):]
	}
	if len(mobile) != 11 || mobile[0] != '1' {
		return "", false
	}
	for _, c := range []byte(mobile) {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return mobile, true
}

// masked hides the middle of a number for logs and output, 138****5678,
// as a phone bill does: enough to tell numbers apart, not to dial one.
func masked(mobile string) string {
	number, ok := normalise(mobile)
	switch {
	case mobile == "":
		return "(no number)"
	case !ok:
		return "(bad number)" // not printed: it could be anything
	}
	return number[:3] + "****" + number[7:]
}

// deliver applies the rate limits to a message to number (normalised)
// and, if they let it through, "sends" it: it prints the message on
// stdout. It returns the code and the message's smsid.
func (g *gateway) deliver(number, content string) (int, string) {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	// The daily counts start again each day: forgetting yesterday's
	// numbers keeps the map from growing for as long as the server runs.
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	if !today.Equal(g.today) {
		clear(g.sent)
		g.today = today
	}
	prev, seen := g.sent[number]
	switch {
	case !seen && len(g.sent) >= g.maxNumbers:
		return codeFailed, "0"
	case seen && now.Sub(prev.last) < time.Second:
		return codeTooFast, "0"
	case seen && prev.count >= maxPerDay:
		return codeTooManyDay, "0"
	}
	// The content goes to a terminal: quote shows plain text as it is,
	// and anything else escaped, so that a "\r" or an escape sequence
	// cannot fake or hide a line. A long message is cut at 200 bytes.
	// One write per message, under the lock, so that lines never mix.
	smsid := rand.Text() // random base32: a fresh id for each message
	if _, err := fmt.Fprintf(g.stdout, "%s (smsid %s): %s\n", masked(number),
		smsid, quote(content)); err != nil {
		g.log.Printf("print message: %v", err)
		return codeFailed, "0"
	}
	g.sent[number] = sendLog{last: now, count: prev.count + 1}
	return codeSubmitted, smsid
}
