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
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

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

// run reads the command line into a config (flags.go), then sends the
// message once and prints what became of it on stdout.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	// With -v, the client's transport prints the exchange, the password
	// hidden, whether it is the key or the signature. What the client
	// prints, -v included, hides the key if the gateway echoes it.
	h := newHider(cfg.key, "password")
	client := newClient(cfg.timeout)
	if cfg.verbose {
		client.Transport = tapTransport(client.Transport,
			log.New(h.writer(stderr), "", 0), "password")
	}
	return h.hideError(cfg.send(ctx, client, h.writer(stdout)))
}

// send signs the message, posts it once with client and says what the
// gateway answered.
func (cfg *config) send(ctx context.Context, client *http.Client,
	stdout io.Writer) error {
	content := cfg.content
	if content == "" {
		var err error
		if content, err = verificationMessage(); err != nil {
			return err
		}
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
