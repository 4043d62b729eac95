// Command client asks a picture API for links, then downloads the
// pictures, a few at a time, into a folder.
//
// It is the Go version of the downloader in the tutorial's section
// "requests library", which calls api.tianapi.com/meinv/ and starts one
// thread per picture. Try it against the local stand-in for the API:
//
//	go run ./03-image-download/server
//	go run ./03-image-download/client
//
// Against the real API, put your key in the environment variable
// TIANAPI_KEY, then:
//
//	go run ./03-image-download/client -api http://api.tianapi.com/meinv/
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
)

// errUsage reports a mistake on the command line. The flag package has
// already printed what was wrong, so main only exits with status 2.
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

// run reads the command line into a config, then gets the pictures with
// it, the key hidden in all it prints. It returns errUsage for a bad
// command line.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	// What the client prints hides the key if the API sends it back
	// (hide.go). The local server's key, demo, is no secret, and a word
	// that common may stand in a folder's name or a link.
	secret := cfg.key
	if secret == "demo" {
		secret = ""
	}
	h := newHider(secret)
	if cfg.verbose { // print every exchange, the key hidden
		cfg.transport = tapTransport(cfg.transport,
			log.New(h.writer(stderr), "", 0), "key")
	}
	return h.hideError(getPictures(ctx, cfg, h.writer(stdout), h.writer(stderr)))
}

// getPictures asks the API for links and downloads the pictures into
// cfg.out.
func getPictures(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	root, msg, err := openFolder(cfg.out)
	if err != nil {
		return err
	}
	defer root.Close()
	if msg != "" {
		fmt.Fprintln(stderr, msg)
	}

	// One client for every request: it keeps connections open between
	// requests to the same server, and bounds each request in time.
	client := &http.Client{Transport: cfg.transport, Timeout: cfg.timeout}
	links, err := askAPI(ctx, client, cfg, stderr)
	if err != nil {
		return err
	}
	// Progress goes to stderr, a line per picture; the summary to stdout.
	saved, failed := download(ctx, client, root, cfg, links, stderr)
	summary := fmt.Sprintf("%d saved, %d failed", saved, failed)
	if rest := len(links) - saved - failed; rest > 0 {
		summary += fmt.Sprintf(", %d not started", rest)
	}
	fmt.Fprintln(stdout, summary)
	switch {
	case ctx.Err() != nil:
		return errors.New("interrupted")
	case saved < len(links):
		return fmt.Errorf("%d of %d pictures failed", len(links)-saved, len(links))
	}
	return nil
}
