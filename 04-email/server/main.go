// Command server is a local mail sink: an SMTP server (RFC 5321) that
// accepts every message sent to it and saves it as a .eml file in a folder
// instead of delivering it. It prints one line per message: who sent it to
// whom, the subject and the attachments.
//
// It is the other end of the tutorial's section "send email": the Python
// programs there talk to smtp.126.com, and this server lets them (and this
// chapter's client) send real SMTP without an account or the internet.
// With -tls it offers STARTTLS, and with -user it asks for a password
// (AUTH PLAIN or LOGIN), as the tutorial's mail server does.
//
//	go run ./04-email/server
//	go run ./04-email/client -server 127.0.0.1:1025
//
// With encryption and a password (taken from the environment, never a flag):
//
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

// run reads the flags into a config, then listens and serves with it until
// ctx is canceled. Tests call it as main does, with their own arguments,
// environment and output.
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

// listenAndServe opens the mailbox, listens as cfg says, prints the
// listening line, and serves until ctx is canceled.
func listenAndServe(ctx context.Context, cfg *config, stdout, stderr io.Writer) error {
	if err := cfg.open(stdout, stderr); err != nil {
		return err
	}
	defer cfg.mailbox.Close()
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return explainListen(err, cfg.addr)
	}
	cfg.announce(ln.Addr())
	if err := serve(ctx, ln, cfg); err != nil {
		return err
	}
	cfg.log.Print("stopped")
	return nil
}

// announce logs that the server listens on addr, and what it offers; and
// a warning if it asks for a password where no one can give it safely.
func (cfg *config) announce(addr net.Addr) {
	starttls, auth := "off", "off"
	if cfg.tlsConfig != nil {
		starttls = "on"
	}
	if cfg.user != "" {
		auth = "required"
	}
	cfg.log.Printf("listening on %s (STARTTLS %s, AUTH %s), saving to %s",
		addr, starttls, auth, cfg.dir)
	if warning := authWarning(cfg, addr); warning != "" {
		cfg.log.Print(warning)
	}
}
