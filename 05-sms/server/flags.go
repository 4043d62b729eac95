package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
)

// defaultAPIKey is the key the gateway accepts when SMS_APIKEY is unset:
// the local demo's, which everyone knows.
const defaultAPIKey = "demo-key"

// config is what the command line and the environment ask for.
type config struct {
	addr     string
	account  string
	maxConns int
	verbose  bool
	key      string // the API key: a secret, never printed
	keyFrom  string // where the key came from, to say so in the log
}

// parseFlags reads the command line and the environment into a config.
// A mistake is errUsage, once it is printed on stderr with the usage; -h
// is flag.ErrHelp.
func parseFlags(args []string, getenv func(string) string,
	stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] "+
			"[-account ID] [-max-conns N] [-v]\nThe API key comes from the "+
			"environment variable SMS_APIKEY (default "+defaultAPIKey+").")
		fs.PrintDefaults()
	}
	var cfg config
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on "+
		"(0.0.0.0:8080 to let other machines in; the gateway answers "+
		"them code 400)")
	fs.StringVar(&cfg.account, "account", "demo", "the API ID the gateway accepts")
	fs.IntVar(&cfg.maxConns, "max-conns", 256, "the most connections open "+
		"at once; more wait in the system's queue")
	fs.BoolVar(&cfg.verbose, "v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	if problem := cfg.check(fs.Args()); problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return cfg, errUsage
	}
	// The key is a secret: it comes from the environment and is never
	// printed, unless it is the well-known demo key.
	cfg.key, cfg.keyFrom = getenv("SMS_APIKEY"), "from SMS_APIKEY"
	if cfg.key == "" {
		cfg.key, cfg.keyFrom = defaultAPIKey, defaultAPIKey+", as SMS_APIKEY is unset"
	}
	return cfg, nil
}

// check returns what is wrong with the flags, or "" if nothing is. rest
// is what follows them on the command line.
func (cfg config) check(rest []string) string {
	_, _, addrErr := net.SplitHostPort(cfg.addr)
	switch {
	case len(rest) > 0:
		return fmt.Sprintf("unexpected argument %q", rest[0])
	case addrErr != nil:
		return fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", cfg.addr)
	case cfg.account == "":
		return "-account must not be empty"
	case cfg.maxConns < 1:
		return "-max-conns must be 1 or more"
	}
	return ""
}
