package main

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"
)

// hello answers EHLO or HELO; to EHLO with its extensions, one a line:
// the client uses only what is listed.
func (s *session) hello(verb, arg string) error {
	name, _, _ := strings.Cut(arg, " ")
	if !validName(name) {
		return s.reply(501, fmt.Sprintf("%s needs your host name, "+
			"e.g. %s client.example", verb, verb))
	}
	s.helo, s.esmtp = name, verb == "EHLO"
	s.reset()
	greeting := s.cfg.host + " greets " + name
	if !s.esmtp {
		return s.reply(250, greeting)
	}
	lines := []string{greeting,
		"PIPELINING", // the client may send commands without waiting
		fmt.Sprintf("SIZE %d", s.cfg.maxSize),
		"8BITMIME", // bytes over 127 pass through unchanged
	}
	if s.cfg.tlsConfig != nil && !s.tls {
		lines = append(lines, "STARTTLS")
	}
	if s.authOffered() {
		lines = append(lines, "AUTH PLAIN LOGIN")
	}
	return s.reply(250, lines...)
}

// validName reports whether name can be the client's name in EHLO: it goes
// into the Received header of every message, so it must be one word of
// printable ASCII.
func validName(name string) bool {
	return name != "" && len(name) <= 255 &&
		!strings.ContainsFunc(name, func(r rune) bool { return r <= ' ' || r > '~' })
}

// startTLS turns the connection into a TLS one (RFC 3207): after the 220,
// a handshake, then the conversation again, encrypted, from EHLO.
func (s *session) startTLS(arg string) error {
	switch {
	case s.cfg.tlsConfig == nil:
		return s.reply(502, "STARTTLS not offered (start the server with -tls)")
	case s.tls:
		return s.reply(503, "already using TLS")
	case arg != "":
		return s.reply(501, "STARTTLS takes no argument")
	}
	if err := s.reply(220, "ready to start TLS"); err != nil {
		return err
	}
	conn := tls.Server(s.tcp, s.cfg.tlsConfig)
	if err := s.tcp.SetDeadline(time.Now().Add(s.cfg.timeout)); err != nil {
		return err
	}
	if err := conn.Handshake(); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	// The new reader drops anything the client sent in plain text after
	// STARTTLS: an attacker in the middle could have added commands
	// there, to be run as if they came encrypted.
	s.use(conn)
	s.tls, s.helo, s.authed = true, "", false
	s.reset()
	return nil
}

// mail starts a message: MAIL FROM:<sender>.
func (s *session) mail(arg string) error {
	switch {
	case s.helo == "":
		return s.reply(503, "send EHLO first")
	case s.cfg.user != "" && s.cfg.tlsConfig != nil && !s.tls:
		return s.reply(530, "must issue a STARTTLS command first")
	case s.cfg.user != "" && !s.authed:
		return s.reply(530, "authentication required")
	case s.inMail:
		return s.reply(503, "already sending a message: send RSET to start again")
	}
	addr, size, err := parsePath(arg, "FROM")
	if err != nil {
		return s.reply(501, err.Error())
	}
	if size > s.cfg.maxSize {
		return s.reply(552, fmt.Sprintf("a message of %d bytes is more than "+
			"the %d this server takes", size, s.cfg.maxSize))
	}
	s.inMail, s.from, s.rcpts = true, addr, nil
	return s.reply(250, "OK")
}

// rcpt adds a recipient: RCPT TO:<recipient>.
func (s *session) rcpt(arg string) error {
	if !s.inMail {
		return s.reply(503, "send MAIL first")
	}
	addr, _, err := parsePath(arg, "TO")
	if err != nil {
		return s.reply(501, err.Error())
	}
	if addr == "" {
		return s.reply(501, "RCPT needs an address, "+
			"e.g. RCPT TO:<name@example.com>")
	}
	// 452, try again: a client sends the message to the ones accepted,
	// then to the others in a new message.
	if len(s.rcpts) >= s.cfg.maxRcpt {
		return s.reply(452, fmt.Sprintf("too many recipients: at most %d "+
			"per message", s.cfg.maxRcpt))
	}
	s.rcpts = append(s.rcpts, addr)
	return s.reply(250, "OK")
}
