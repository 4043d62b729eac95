// Command client sends a text message (SMS) through an SMS gateway's HTTP
// API: it posts a form, and reads the gateway's answer.
//
// It is the Go version of the tutorial's section "send messages", which
// posts to the ihuyi platform with Python's http.client. Try it against
// the local gateway:
//
//	go run ./05-sms/server
//	go run ./05-sms/client -mobile 13812345678
//
// The account comes from -account or SMS_ACCOUNT, the API key only from
// the environment variable SMS_APIKEY; both default to the local
// gateway's demo account.
package main

import (
	"cmp"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// maxReply bounds the gateway's answer.
const maxReply = 64 << 10

// errUsage reports a mistake on the command line. The flag package, or
// run, has already said what was wrong, so main only exits with status 2.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	return cfg.send(ctx, newClient(cfg.timeout), stdout)
}

// config is what the command line asks for.
type config struct {
	gateway  *url.URL
	account  string
	key      string
	number   string // 11 digits
	content  string
	plainKey bool
	timeout  time.Duration
}

// parseFlags reads the command line and the environment into a config.
// A mistake is errUsage, once the usage is printed on stderr; -h is
// flag.ErrHelp.
func parseFlags(args []string, getenv func(string) string,
	stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client -mobile NUMBER [-content TEXT] "+
			"[-gateway URL] [-account ID] [-plain-key] [-timeout D]\n"+
			"The API key comes from the environment variable SMS_APIKEY "+
			"(default demo-key, the local gateway's).")
		fs.PrintDefaults()
	}
	gateway := fs.String("gateway",
		"http://127.0.0.1:8080/webservice/sms.php?method=Submit", "the gateway's URL")
	cfg := &config{}
	fs.StringVar(&cfg.account, "account", "",
		"API ID (default: $SMS_ACCOUNT, else demo)")
	mobile := fs.String("mobile", "", "the number to send to: 11 digits, "+
		"optionally after +86")
	fs.StringVar(&cfg.content, "content", "", "the text (default: a "+
		"verification message with a fresh random code)")
	fs.BoolVar(&cfg.plainKey, "plain-key", false, "send the API key itself "+
		"as the password, instead of a signature made with it")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "bound on the request")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage
	}
	cfg.account = cmp.Or(cfg.account, getenv("SMS_ACCOUNT"), "demo")
	cfg.key = cmp.Or(getenv("SMS_APIKEY"), "demo-key")
	number, numberErr := normalizeMobile(*mobile)
	u, urlErr := url.Parse(*gateway)
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case *mobile == "":
		problem = "-mobile is required"
	case numberErr != nil:
		problem = fmt.Sprintf("-mobile: %v", numberErr)
	case urlErr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		problem = "-gateway: want an http:// or https:// URL"
	case cfg.timeout <= 0:
		problem = "-timeout must be more than 0"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return nil, errUsage
	}
	cfg.gateway, cfg.number = u, number
	return cfg, nil
}

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

// send signs the message, posts it once with client and says what the
// gateway answered.
func (cfg *config) send(ctx context.Context, client *http.Client,
	stdout io.Writer) error {
	content := cfg.content
	if content == "" {
		code, err := randomCode()
		if err != nil {
			return err
		}
		content = "Your verification code is: " + code +
			". Please do not disclose the verification code to others."
	}
	form := buildForm(cfg.account, cfg.key, cfg.number, content, time.Now(),
		cfg.plainKey)
	res, err := submit(ctx, client, cfg.gateway, form)
	if err != nil {
		return err
	}
	if res.Code != "2" {
		err := fmt.Errorf("the gateway answered code %s: %s", res.Code,
			quote(res.Msg))
		if hint, ok := hints[res.Code]; ok {
			err = fmt.Errorf("%w (%s)", err, hint)
		}
		return err
	}
	_, err = fmt.Fprintf(stdout, "sent to %s, smsid %s\n", mask(cfg.number),
		quote(res.SMSID))
	return err
}

// normalizeMobile checks a Chinese mobile number, 11 digits starting with
// 1, with or without +86 or 86 in front, and returns its 11 digits.
func normalizeMobile(s string) (string, error) {
	digits := s
	if len(s) > 11 {
		// One prefix, +86 or 86, the country code of China.
		if d, ok := strings.CutPrefix(s, "+86"); ok {
			digits = d
		} else {
			digits = strings.TrimPrefix(s, "86")
		}
	}
	if len(digits) != 11 || digits[0] != '1' {
		return "", fmt.Errorf("%q is not a mobile number: want 11 digits "+
			"starting with 1, e.g. 13812345678", s)
	}
	for _, r := range digits {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("%q is not a mobile number: digits only", s)
		}
	}
	return digits, nil
}

// mask hides the middle of a number, for logs and output: 138****5678.
func mask(number string) string {
	if len(number) != 11 {
		return "***"
	}
	return number[:3] + "****" + number[7:]
}

// randomCode returns 6 random digits from crypto/rand: a verification code
// must not be guessable, as the tutorial's fixed 147258 is.
func randomCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n), nil
}

// buildForm makes the form to post. The gateway accepts the API key
// itself as the password, but over plain HTTP anyone on the way could
// read it and send messages on your account. The dynamic password is a
// signature instead: md5(account + key + mobile + content + time). It
// proves the sender knows the key without sending it, and, with the time,
// is good for a few minutes only.
func buildForm(account, key, mobile, content string, now time.Time,
	plainKey bool) url.Values {
	form := url.Values{
		"account": {account},
		"mobile":  {mobile},
		"content": {content},
		"format":  {"json"},
	}
	if plainKey {
		form.Set("password", key)
		return form
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	sum := md5.Sum([]byte(account + key + mobile + content + ts))
	form.Set("time", ts)
	form.Set("password", hex.EncodeToString(sum[:]))
	return form
}

// result is the gateway's answer, in JSON or in XML.
type result struct {
	Code  string `json:"-" xml:"code"`
	Msg   string `json:"msg" xml:"msg"`
	SMSID string `json:"smsid" xml:"smsid"`
}

// hints says what to do about the gateway's codes.
var hints = map[string]string{
	"400":  "the gateway does not accept requests from this IP address: check its settings",
	"401":  "the account is empty: -account or SMS_ACCOUNT",
	"402":  "the password is empty: SMS_APIKEY",
	"403":  "the number is empty",
	"404":  "the content is empty",
	"405":  "check the API ID (-account, SMS_ACCOUNT) and the key (SMS_APIKEY)",
	"406":  "check -mobile",
	"407":  "the content holds words the gateway refuses",
	"4073": "the content is too long",
	"4080": "one message a second to a number: wait a moment",
	"4085": "the daily limit for this number is reached: try tomorrow",
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
		err = requestError(err)
		var netErr net.Error
		switch {
		case ctx.Err() != nil:
			return nil, errors.New("interrupted: the message may or may not have been sent")
		case errors.As(err, &netErr) && netErr.Timeout():
			return nil, fmt.Errorf("post to %s: no answer in time: %w (the message "+
				"may still have been sent: check before sending again)", gateway.Host, err)
		case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, wsaeconnrefused):
			return nil, fmt.Errorf("post to %s: %w (is the gateway running? "+
				"go run ./05-sms/server)", gateway.Host, err)
		}
		return nil, fmt.Errorf("post to %s: %w", gateway.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read the answer: %w", err)
	case resp.StatusCode != http.StatusOK && len(body) == 0:
		return nil, fmt.Errorf("the gateway answered %s", quote(resp.Status))
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("the gateway answered %s: %s",
			quote(resp.Status), quote(string(body)))
	case len(body) > maxReply:
		return nil, fmt.Errorf("the gateway answered %s, with more than %d KiB",
			quote(resp.Status), maxReply>>10)
	}
	res, err := parseResult(body)
	if err != nil {
		return nil, fmt.Errorf("the gateway answered %s, but %w: %s",
			quote(resp.Status), err, quote(string(body)))
	}
	return res, nil
}

// wsaeconnrefused is how Windows reports a refused connection.
const wsaeconnrefused = syscall.Errno(10061)

// parseResult reads the gateway's answer: JSON when asked for (it was),
// or XML, which the gateway sends when not.
func parseResult(body []byte) (*result, error) {
	var res result
	trimmed := strings.TrimSpace(string(body))
	switch {
	case strings.HasPrefix(trimmed, "{"):
		var raw struct {
			result
			Code json.Number `json:"code"` // 2 or "2"
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, fmt.Errorf("the answer is not the gateway's JSON (%s)",
				quote(err.Error()))
		}
		res, res.Code = raw.result, raw.Code.String()
	case strings.HasPrefix(trimmed, "<"):
		var raw struct {
			XMLName xml.Name // the root element: SubmitResult, not html
			result
		}
		if err := xml.Unmarshal(body, &raw); err != nil {
			return nil, fmt.Errorf("the answer is not the gateway's XML (%s)",
				quote(err.Error()))
		}
		if raw.XMLName.Local != "SubmitResult" {
			return nil, fmt.Errorf("the answer is not the gateway's XML "+
				"(<%s> where <SubmitResult> was expected)",
				quote(raw.XMLName.Local))
		}
		res = raw.result
	default:
		return nil, errors.New("the answer is neither JSON nor XML")
	}
	res.Code = strings.TrimSpace(res.Code)
	if res.Code == "" {
		return nil, errors.New("the answer has no code")
	}
	if _, err := strconv.Atoi(res.Code); err != nil {
		return nil, fmt.Errorf("the answer's code %s is not a number",
			quote(res.Code))
	}
	return &res, nil
}
