// Command server is a local mail sink: an SMTP server (RFC 5321) that
// accepts every message sent to it and saves it as a .eml file in a
// folder instead of delivering it, printing a line for each: who sent it
// to whom, the subject and the attachments.
//
// It is the other end of the tutorial's section "send email", whose
// programs talk to smtp.126.com: with it they (and this chapter's client)
// send real SMTP without an account or the internet. With -tls it offers
// STARTTLS, and with -user it asks for a password (AUTH PLAIN or LOGIN).
//
//	go run ./04-email/server
//	SMTP_PASSWORD=secret go run ./04-email/server -tls -user alice
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// errUsage: the flag package, or parseFlags, has said what was wrong.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // a second Ctrl-C ends it at once
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run reads the flags into a config, then listens and serves with it until
// ctx is canceled.
func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is what was asked for
	}
	if err != nil {
		return err
	}
	return listenAndServe(ctx, cfg, stdout, stderr)
}

// listenAndServe opens the mailbox, listens as cfg says, logs what it
// offers (and a warning if it asks for a password where no one can give
// it safely), and serves until ctx is canceled.
func listenAndServe(ctx context.Context, cfg *config, stdout, stderr io.Writer) error {
	if err := cfg.open(stdout, stderr); err != nil {
		return err
	}
	defer cfg.mailbox.Close()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return explainListen(err, cfg.addr)
	}
	starttls, auth := "off", "off"
	if cfg.tlsConfig != nil {
		starttls = "on"
	}
	if cfg.user != "" {
		auth = "required"
	}
	cfg.log.Printf("listening on %s (STARTTLS %s, AUTH %s), saving to %s",
		ln.Addr(), starttls, auth, cfg.dir)
	if warning := authWarning(cfg, ln.Addr()); warning != "" {
		cfg.log.Print(warning)
	}
	if err := serve(ctx, ln, cfg); err != nil {
		return err
	}
	cfg.log.Print("stopped")
	return nil
}
