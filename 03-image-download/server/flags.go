package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"
)

// config is what the flags say.
type config struct {
	addr     string
	key      string
	count    int
	delay    time.Duration
	maxConns int
	verbose  bool
}

// parseFlags reads the command line into a config. It returns
// flag.ErrHelp for -h, and errUsage, once it has printed why and the
// usage, for a bad command line.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] [-key KEY] "+
			"[-count N] [-delay D] [-max-conns N] [-v]")
		fs.PrintDefaults()
	}
	var cfg config
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8000",
		"address to listen on (0.0.0.0:8000 to let other machines in)")
	fs.StringVar(&cfg.key, "key", "demo",
		"the API key the server accepts (a test key, not a secret)")
	fs.IntVar(&cfg.count, "count", 20,
		"how many pictures the server has (1 to 100)")
	fs.DurationVar(&cfg.delay, "delay", 0, "how long each picture takes to "+
		"send, up to 10s, to see concurrency pay off (e.g. 100ms; default 0)")
	fs.IntVar(&cfg.maxConns, "max-conns", 256, "the most connections open "+
		"at once; more wait in the system's queue")
	fs.BoolVar(&cfg.verbose, "v", false,
		"print the conversation on stderr: what each side sends")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return config{}, err
		}
		return config{}, errUsage
	}
	if problem := cfg.check(fs.Args()); problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return config{}, errUsage
	}
	return cfg, nil
}

// check returns what is wrong with cfg, or with the arguments left after
// the flags (there should be none); "" if nothing is.
func (cfg config) check(rest []string) string {
	_, _, addrErr := net.SplitHostPort(cfg.addr)
	switch {
	case len(rest) > 0:
		return fmt.Sprintf("unexpected argument %q", rest[0])
	case addrErr != nil:
		return fmt.Sprintf("-addr %q: want HOST:PORT, e.g. 127.0.0.1:8000", cfg.addr)
	case cfg.key == "":
		return "-key must not be empty"
	case cfg.count < 1 || cfg.count > maxPictures:
		return fmt.Sprintf("-count must be from 1 to %d", maxPictures)
	case cfg.delay < 0 || cfg.delay > maxDelay:
		return fmt.Sprintf("-delay must be from 0 to %v", maxDelay)
	case cfg.maxConns < 1:
		return "-max-conns must be 1 or more"
	}
	return ""
}
