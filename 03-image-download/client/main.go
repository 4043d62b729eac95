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
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
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

// config is what the flags say.
type config struct {
	api     *url.URL
	key     string
	num     int
	out     string
	workers int
	timeout time.Duration
	maxSize int64
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client [-api URL] [-key KEY] [-num N] "+
			"[-out DIR] [-workers N] [-timeout D] [-max-size N]\n"+
			"The API key comes from the environment variable TIANAPI_KEY "+
			"(default demo, the local server's).")
		fs.PrintDefaults()
	}
	apiURL := fs.String("api", "http://127.0.0.1:8000/meinv/",
		"the picture API's address")
	key := fs.String("key", "", "API key (default: $TIANAPI_KEY, else demo); "+
		"prefer the variable: other users can see a command line")
	num := fs.Int("num", 10, "how many pictures to ask for (1 to 50)")
	out := fs.String("out", "downloads",
		"folder to save the pictures in (made if missing)")
	workers := fs.Int("workers", 4, "how many pictures to download at once")
	timeout := fs.Duration("timeout", 30*time.Second,
		"how long one request, body included, may take")
	maxSize := fs.Int64("max-size", 20<<20, "largest picture to accept, in bytes")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	cfg := config{key: *key, num: *num, out: *out, workers: *workers,
		timeout: *timeout, maxSize: *maxSize}
	if cfg.key == "" {
		cfg.key = getenv("TIANAPI_KEY")
	}
	if cfg.key == "" {
		cfg.key = "demo"
	}
	u, err := url.Parse(*apiURL)
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		problem = "-api: want an http:// or https:// URL"
	case cfg.num < 1 || cfg.num > 50:
		problem = "-num must be from 1 to 50"
	case cfg.workers < 1:
		problem = "-workers must be 1 or more"
	case cfg.timeout <= 0:
		problem = "-timeout must be more than 0"
	case cfg.maxSize <= 0:
		problem = "-max-size must be more than 0"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return errUsage
	}
	cfg.api = u

	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	// Every file operation goes through root, which refuses any name
	// that would lead outside the folder.
	root, err := os.OpenRoot(cfg.out)
	if err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	defer root.Close()

	// One client for every request: it keeps connections open between
	// requests to the same server, and bounds each request in time.
	client := &http.Client{Timeout: cfg.timeout}
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
