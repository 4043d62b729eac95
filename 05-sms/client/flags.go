package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"
)

// defaultGateway is the local gateway's URL: go run ./05-sms/server.
const defaultGateway = "http://127.0.0.1:8080/webservice/sms.php?method=Submit"

// config is what the command line and the environment ask for.
type config struct {
	gateway  *url.URL
	account  string
	key      string // the API key: a secret, never printed
	number   string // 11 digits
	content  string
	plainKey bool
	timeout  time.Duration
	verbose  bool
}

// parseFlags reads the command line and the environment into a config.
// A mistake is errUsage, once it is printed on stderr with the usage; -h
// is flag.ErrHelp.
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
	if problem := cfg.finish(fs.Args(), *gateway, *mobile, getenv); problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return nil, errUsage
	}
	return cfg, nil
}

// finish completes cfg once the flags are read: the account and the key
// from the environment, the number and the gateway's URL checked. It
// returns what is wrong, or "" if nothing is. rest is what follows the
// flags on the command line.
func (cfg *config) finish(rest []string, gateway, mobile string,
	getenv func(string) string) string {
	cfg.account = cmp.Or(cfg.account, getenv("SMS_ACCOUNT"), "demo")
	cfg.key = cmp.Or(getenv("SMS_APIKEY"), "demo-key")
	number, numberErr := normalizeMobile(mobile)
	u, urlErr := url.Parse(gateway)
	switch {
	case len(rest) > 0:
		return fmt.Sprintf("unexpected argument %q", rest[0])
	case mobile == "":
		return "-mobile is required"
	case numberErr != nil:
		return fmt.Sprintf("-mobile: %v", numberErr)
	case urlErr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return "-gateway: want an http:// or https:// URL"
	case cfg.timeout <= 0:
		return "-timeout must be more than 0"
	}
	cfg.gateway, cfg.number = u, number
	return ""
}
