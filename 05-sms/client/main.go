// Command client sends a text message (SMS) through an SMS gateway's HTTP
// API: it posts a form and reads the gateway's answer, as the tutorial's
// section "send messages" does with Python's http.client. Try it against
// the local gateway:
//
//	go run ./05-sms/server
//	go run ./05-sms/client -mobile 13812345678
//
// The account comes from -account or SMS_ACCOUNT, the API key only from
// SMS_APIKEY; both default to the local gateway's demo account.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// errUsage: the mistake has been printed with the usage; main exits 2.
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

// run reads the command line, sends the message once, and prints what
// became of it on stdout.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	// -v prints the exchange, the password hidden; all the client prints
	// hides the key, should the gateway echo it.
	h := newHider(cfg.key, "password")
	client := newClient(cfg.timeout)
	if cfg.verbose {
		client.Transport = tapTransport(client.Transport,
			log.New(h.writer(stderr), "", 0), "password")
	}
	return h.hideError(cfg.send(ctx, client, h.writer(stdout)))
}

// defaultGateway is the local gateway's URL: go run ./05-sms/server.
const defaultGateway = "http://127.0.0.1:8080/webservice/sms.php?method=Submit"

type config struct {
	gateway                  *url.URL
	account, number, content string // number: 11 digits
	key                      string // the API key: a secret, never printed
	plainKey, verbose        bool
	timeout                  time.Duration
}

// parseFlags reads the command line and the environment into a config.
// A mistake is errUsage, once printed on stderr with the usage; -h is
// flag.ErrHelp.
func parseFlags(args []string, getenv func(string) string,
	stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client -mobile NUMBER [-content TEXT] "+
			"[-gateway URL] [-account ID] [-plain-key] [-timeout D] [-v]\n"+
			"The API key comes from the environment variable SMS_APIKEY "+
			"(default demo-key, the local gateway's).")
		fs.PrintDefaults()
	}
	cfg := &config{}
	gateway := fs.String("gateway", defaultGateway, "URL of the SMS gateway")
	fs.StringVar(&cfg.account, "account", "",
		"API ID (default: $SMS_ACCOUNT, else demo)")
	mobile := fs.String("mobile", "", "the number to send to: 11 digits, "+
		"optionally after +86")
	fs.StringVar(&cfg.content, "content", "", "the text (default: a "+
		"verification message with a fresh random code)")
	fs.BoolVar(&cfg.plainKey, "plain-key", false, "send the API key itself "+
		"as the password, instead of a signature made with it")
	fs.DurationVar(&cfg.timeout, "timeout", 10*time.Second, "how long the "+
		"post may take, from connecting to the end of the answer")
	fs.BoolVar(&cfg.verbose, "v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage
	}
	cfg.account = cmp.Or(cfg.account, getenv("SMS_ACCOUNT"), "demo")
	cfg.key = cmp.Or(getenv("SMS_APIKEY"), "demo-key")
	cfg.content = cmp.Or(cfg.content, "Your verification code is: "+
		randomCode()+". Please do not disclose the verification code to others.")
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

// randomCode returns 6 random digits from crypto/rand: a verification code
// must not be guessable, as the tutorial's fixed 147258 is.
func randomCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000)) // crypto/rand never fails
	return fmt.Sprintf("%06d", n)
}

// buildForm makes the form to post. Its password is not the API key,
// which anyone on the way could read over plain HTTP, but a signature
// (sign.go): it proves the key without sending it, for a few minutes.
func (cfg *config) buildForm() url.Values {
	form := url.Values{"account": {cfg.account}, "mobile": {cfg.number},
		"content": {cfg.content}, "format": {"json"}}
	if cfg.plainKey {
		form.Set("password", cfg.key)
		return form
	}
	form.Set("time", strconv.FormatInt(time.Now().Unix(), 10))
	form.Set("password", signature(cfg.key, form))
	return form
}

// send posts the form once with client and says what the gateway
// answered.
func (cfg *config) send(ctx context.Context, client *http.Client,
	stdout io.Writer) error {
	form := cfg.buildForm()
	res, err := submit(ctx, client, cfg.gateway.String(), form)
	if err != nil {
		return postError(ctx, cfg.gateway.Host, err)
	}
	if res.Code != "2" {
		err := fmt.Errorf("the gateway answered code %s: %q", res.Code, res.Msg)
		if hint, ok := hints[string(res.Code)]; ok {
			err = fmt.Errorf("%w (%s)", err, hint)
		}
		return err
	}
	_, err = fmt.Fprintf(stdout, "sent to %s, smsid %q\n", mask(cfg.number),
		res.SMSID)
	return err
}

// hints says what to do about the gateway's codes.
var hints = map[string]string{
	"400": "the gateway does not accept requests from this IP address: " +
		"check its settings",
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
