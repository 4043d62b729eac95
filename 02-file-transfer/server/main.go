// Command server sends one file to every client that connects, then closes
// the connection. It speaks two protocols:
//
//   - json (the default): the tutorial's, one JSON object
//     {"filename": ..., "filedata": <base64>};
//   - stream: a header line {"filename":...,"size":N,"sha256":...} and then
//     the file's N bytes as they are.
//
// It is the Go version of the multithreaded file server in the tutorial's
// section "TCP sockets": each client is served by a goroutine of its own.
// Without -file it sends sample.png, a picture it draws at start-up.
//
//	go run ./02-file-transfer/server
//	go run ./02-file-transfer/client -out received
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
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
	// The first Ctrl-C asks for a clean stop; once it has, a second one
	// ends the program at once, as usual.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is all that was asked for
	}
	if err != nil {
		return err
	}
	cfg := opts.config
	f, err := load(opts.path)
	if err != nil {
		return err
	}
	defer f.Close()
	cfg.send, cfg.size = f.sendStream, int64(len(f.streamHeader()))+f.size
	if opts.proto == "json" {
		// The tutorial encodes the file once and sends the same
		// string to every client. So does this server.
		if err := f.encodeJSON(); err != nil {
			return err
		}
		cfg.send, cfg.size = f.sendJSON, int64(len(f.json))
	}

	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		return explainListen(err, opts.addr)
	}
	cfg.log = log.New(stderr, "", log.LstdFlags)
	cfg.log.Printf("listening on %s (sending %s, %d bytes, as %s)",
		ln.Addr(), f.name, f.size, opts.proto)
	if err := serve(ctx, ln, cfg); err != nil {
		return err
	}
	cfg.log.Print("stopped")
	return nil
}

// options are what the command line says.
type options struct {
	addr, path, proto string
	config
}

// parseFlags reads the command line into options. When it is wrong, it
// says why on stderr and returns errUsage; after -h, flag.ErrHelp.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] "+
			"[-file PATH] [-proto json|stream] [-timeout D] [-min-rate SIZE] "+
			"[-max-clients N]")
		fs.PrintDefaults()
	}
	o := options{config: config{grace: 10 * time.Second,
		busyTimeout: busyTimeout, minRate: 1 << 20}}
	fs.StringVar(&o.addr, "addr", "127.0.0.1:5566",
		"address to listen on (0.0.0.0:5566 to let other machines in)")
	fs.StringVar(&o.path, "file", "",
		"file to send (default: a sample picture, sample.png)")
	fs.StringVar(&o.proto, "proto", "json",
		"protocol: json (the tutorial's) or stream")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second,
		"how long one write of 64 KiB to a client may take: a client "+
			"that reads slower than that is cut off")
	fs.Var(&o.minRate, "min-rate", "slowest transfer to allow: a `size` "+
		"a second (bytes, or with KiB, MiB or GiB); a transfer must end "+
		"within -timeout plus the time its size takes at this rate")
	fs.IntVar(&o.maxClients, "max-clients", 100,
		"how many clients to serve at once; more are told the server is busy")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsage
	}
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case o.proto != "json" && o.proto != "stream":
		problem = fmt.Sprintf("-proto must be json or stream, not %q", o.proto)
	case o.timeout <= 0:
		problem = "-timeout must be more than 0"
	case o.maxClients < 1:
		problem = "-max-clients must be 1 or more"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return o, errUsage
	}
	return o, nil
}

// busyTimeout bounds each write of 64 KiB while the server is at
// capacity (see slots.go), in place of -timeout: a client that does not
// read for that long loses its slot to one that would.
const busyTimeout = 5 * time.Second
