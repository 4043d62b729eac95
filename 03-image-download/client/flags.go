package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// config is what the flags say.
type config struct {
	api       *url.URL
	key       string
	num       int
	out       string
	workers   int
	timeout   time.Duration
	maxSize   int64
	overwrite bool
	verbose   bool

	// transport carries the requests; nil means the system's network
	// (http.DefaultTransport). Tests put in-memory connections here.
	transport http.RoundTripper
}

// parseFlags reads the command line into a config. It returns
// flag.ErrHelp for -h, and errUsage, once it has printed why and the
// usage, for a bad command line.
func parseFlags(args []string, getenv func(string) string,
	stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client [-api URL] [-key KEY] [-num N] "+
			"[-out DIR] [-overwrite] [-workers N] [-timeout D] [-max-size SIZE] "+
			"[-v]\n"+
			"The API key comes from the environment variable TIANAPI_KEY "+
			"(default demo, the local server's).")
		fs.PrintDefaults()
	}
	var cfg config
	apiURL, maxSize := defineFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, errUsage
	}
	cfg.maxSize = int64(*maxSize)
	if cfg.key == "" {
		cfg.key = getenv("TIANAPI_KEY")
	}
	if cfg.key == "" {
		cfg.key = "demo"
	}
	cfg.api, _ = url.Parse(*apiURL) // nil if it is not a URL: check says so
	if problem := cfg.check(fs.Args()); problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return config{}, errUsage
	}
	return cfg, nil
}

// defineFlags defines the client's flags on fs. Parsing fills cfg, but
// for -api and -max-size, whose values come back as they were given.
func defineFlags(fs *flag.FlagSet, cfg *config) (apiURL *string,
	maxSize *byteSize) {
	apiURL = fs.String("api", "http://127.0.0.1:8000/meinv/",
		"URL of the picture API")
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
	size := byteSize(20 << 20)
	fs.Var(&size, "max-size", "largest picture to accept: a `size` in "+
		"bytes, or with KiB, MiB or GiB")
	fs.BoolVar(&cfg.verbose, "v", false,
		"print the conversation on stderr: what each side sends")
	return apiURL, &size
}

// check returns what is wrong with cfg, or with the arguments left after
// the flags (there should be none); "" if nothing is.
func (cfg config) check(rest []string) string {
	api := cfg.api
	switch {
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
