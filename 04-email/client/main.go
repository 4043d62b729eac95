// Command client sends an email over SMTP, plain text or with files
// attached, to any number of recipients: the Go version of the tutorial's
// section "send email" (Python's smtplib). Try it against the local mail
// server:
//
//	go run ./04-email/server
//	go run ./04-email/client -to "Luo Hao <luohao@example.com>" -body Hi!
//
// -dry-run prints the message, MIME and all, instead of sending it. A
// password (-user) comes only from the environment variable SMTP_PASSWORD.
package main

import (
	"context"
	"crypto/tls"
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

// errUsage: the flag package, or run, has said what was wrong.
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

// run reads the flags into a config, then prints the message (-dry-run)
// or sends it.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.dryRun {
		return writeMessage(stdout, cfg.m, time.Now())
	}
	if cfg.verbose {
		// -v wraps the connection (tap.go) where the sender makes it:
		// as dialed, and again inside TLS, to show the text there.
		v := log.New(stderr, "", 0)
		cfg.s.wrap = func(conn net.Conn) net.Conn {
			tapped := tapClient(conn, v)
			if t, ok := conn.(*tls.Conn); ok {
				certs := t.ConnectionState().PeerCertificates
				v.Printf("* certificate %q", certs[0].Subject)
			}
			return tapped
		}
	}
	return cfg.deliver(ctx, stdout)
}

// deliver sends the message within -timeout, and says how many recipients
// the server took. A recipient refused is a failure too.
func (cfg *config) deliver(ctx context.Context, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	m, to := cfg.m, cfg.m.rcpts()
	took, err := cfg.s.send(ctx, m.from.Address, to, func(w io.Writer) error {
		return writeMessage(w, m, time.Now())
	})
	switch {
	case err == nil:
	case errors.Is(ctx.Err(), context.Canceled) && errors.Is(err, errMaybeDelivered):
		return fmt.Errorf("interrupted (%w)", errMaybeDelivered)
	case errors.Is(ctx.Err(), context.Canceled):
		return errors.New("interrupted")
	case timedOut(err), errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%w (-timeout %v is over)", cfg.explain(err), cfg.timeout)
	default:
		return cfg.explain(err)
	}
	plural := "s"
	if took == 1 {
		plural = ""
	}
	fmt.Fprintf(stdout, "sent to %d recipient%s via %s\n", took, plural, cfg.s.server)
	if took < len(to) {
		return fmt.Errorf("%d of %d recipients refused, each named above: "+
			"the message did not go to them", len(to)-took, len(to))
	}
	return nil
}
