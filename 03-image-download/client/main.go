// Command client asks a picture API for links, then downloads the
// pictures, a few at a time, into a folder: the tutorial's downloader
// (section "requests library"), which started a thread per picture.
//
//	go run ./03-image-download/server
//	go run ./03-image-download/client
//
// Against the real API, with your key in TIANAPI_KEY:
//
//	go run ./03-image-download/client -api http://api.tianapi.com/meinv/
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// errUsage is a bad command line, which the flag package has printed.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

// run reads the command line into a config, then gets the pictures.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	return runWith(ctx, cfg, stdout, stderr)
}

// runWith puts the client together around getPictures: the key hidden in
// all it prints, -v, and the folder, tidied of a killed run's leftovers.
// Progress goes to stderr, a line per picture; the summary to stdout.
func runWith(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	secret := cfg.key
	if secret == "demo" { // the local server's: no secret, and a common word
		secret = ""
	}
	h := newHider(secret)
	stdout, stderr = h.writer(stdout), h.writer(stderr)
	if cfg.verbose { // print every exchange, the key hidden
		cfg.transport = tapTransport(cfg.transport, log.New(stderr, "", 0), "key")
	}
	root, note, err := openFolder(cfg.out)
	if err != nil {
		return h.hideError(err)
	}
	defer root.Close()
	if note != "" {
		fmt.Fprintln(stderr, note)
	}
	// One client for every request: it keeps connections open between
	// requests to the same server, and bounds each request in time.
	client := &http.Client{Transport: cfg.transport, Timeout: cfg.timeout}
	client.CheckRedirect = sameOrigin // the key stays on the API's origin
	d := &downloader{client: client, root: root, cfg: cfg, log: stderr}
	n, results, err := d.getPictures(ctx)
	if err == nil {
		err = cfg.report(n, results, stdout, stderr)
	}
	switch {
	case ctx.Err() != nil:
		err = errors.New("interrupted")
	case refused(err):
		err = fmt.Errorf("%w (is the server running? "+
			"go run ./03-image-download/server)", err)
	case timedOut(err):
		err = fmt.Errorf("%w (no complete answer within -timeout %v)", err,
			cfg.timeout)
	}
	return h.hideError(err)
}

// report prints a line to progress for each of the n results, then the
// summary to stdout, and fails if any picture did.
func (cfg config) report(n int, results <-chan result, stdout,
	progress io.Writer) error {
	saved, failed := 0, 0
	for r := range results {
		done := fmt.Sprintf("[%d/%d]", saved+failed+1, n)
		if r.err != nil {
			failed++
			if timedOut(r.err) {
				r.err = fmt.Errorf("no complete answer within -timeout %v: %w",
					cfg.timeout, r.err)
			}
			fmt.Fprintf(progress, "%s failed %s: %v\n", done, shownLink(r.link), r.err)
			continue
		}
		saved++
		note := "" // the names passed safeName: they print as they are
		if r.name != r.wanted {
			note = "; " + r.wanted + " is taken"
		}
		fmt.Fprintf(progress, "%s saved %s (%d bytes%s)\n", done,
			filepath.Join(cfg.out, r.name), r.size, note)
	}
	summary := fmt.Sprintf("%d saved, %d failed", saved, failed)
	if rest := n - saved - failed; rest > 0 {
		summary += fmt.Sprintf(", %d not started", rest)
	}
	fmt.Fprintln(stdout, summary)
	if saved < n {
		return fmt.Errorf("%d of %d pictures failed", n-saved, n)
	}
	return nil
}

// shownLink is a link as messages show it: quoted, without its query
// (which may hold a key) or password.
func shownLink(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		raw = u.Redacted()
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i] + "?..."
	}
	return fmt.Sprintf("%q", raw)
}

// config is what the flags say.
type config struct {
	api                *url.URL
	key, out           string
	num, workers       int
	timeout            time.Duration
	maxSize            int64
	overwrite, verbose bool
	transport          http.RoundTripper // nil: http.DefaultTransport
}

// parseFlags reads the command line into a config, or returns
// flag.ErrHelp for -h, errUsage (once it has printed why) if bad.
func parseFlags(args []string, getenv func(string) string,
	stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client [-api URL] [-key KEY] [-num N] "+
			"[-out DIR] [-overwrite] [-workers N] [-timeout D] [-max-size SIZE] "+
			"[-v]\nThe API key comes from the environment variable TIANAPI_KEY "+
			"(default demo, the local server's).")
		fs.PrintDefaults()
	}
	cfg := config{maxSize: 20 << 20}
	api := fs.String("api", "http://127.0.0.1:8000/meinv/", "URL of the picture API")
	fs.StringVar(&cfg.key, "key", "", "API key (default: $TIANAPI_KEY, "+
		"else demo); prefer the variable: other users can see a command line")
	fs.IntVar(&cfg.num, "num", 10, "how many pictures to ask for (1 to 50)")
	fs.StringVar(&cfg.out, "out", "downloads",
		"folder to save the pictures in (made if missing)")
	fs.BoolVar(&cfg.overwrite, "overwrite", false, "replace a file of the "+
		"same name (default: save as NAME-1.EXT, NAME-2.EXT, ...)")
	fs.IntVar(&cfg.workers, "workers", 4, "how many pictures to download at once")
	fs.DurationVar(&cfg.timeout, "timeout", 30*time.Second,
		"how long one request, body included, may take")
	fs.Var((*byteSize)(&cfg.maxSize), "max-size", "largest picture to "+
		"accept: a `size` in bytes, or with KiB, MiB or GiB")
	fs.BoolVar(&cfg.verbose, "v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, errUsage
	}
	// -key, else the variable, else the local server's key:
	cfg.key = cmp.Or(cfg.key, getenv("TIANAPI_KEY"), "demo")
	cfg.api, _ = url.Parse(*api) // nil if it is not a URL: check says so
	if problem := cfg.check(fs.Args()); problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return config{}, errUsage
	}
	return cfg, nil
}

// check returns what is wrong with cfg and the arguments left after the
// flags, or "".
func (cfg config) check(rest []string) string {
	switch api := cfg.api; {
	case len(rest) > 0:
		return fmt.Sprintf("unexpected argument %q", rest[0])
	case api == nil || (api.Scheme != "http" && api.Scheme != "https") ||
		api.Host == "":
		return "-api: want an http:// or https:// URL"
	case cfg.num < 1 || cfg.num > 50:
		return "-num must be from 1 to 50"
	case cfg.workers < 1:
		return "-workers must be 1 or more"
	case cfg.out == "":
		return "-out must name a folder"
	case cfg.timeout <= 0:
		return "-timeout must be more than 0"
	}
	return ""
}
