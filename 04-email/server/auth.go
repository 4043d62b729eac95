package main

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

var (
	errAuthCanceled = errors.New("authentication canceled")
	errAuthSyntax   = errors.New("bad AUTH syntax")
	errAuthFailed   = errors.New("bad user name or password")
)

// auth answers AUTH PLAIN and LOGIN (RFC 4954), which send the user name
// and password in base64, which hides nothing: so with -tls AUTH waits
// for STARTTLS, and without it is only for clients on this machine.
func (s *session) auth(arg string) error {
	switch {
	case s.cfg.user == "":
		return s.reply(502, "AUTH not offered (start the server with -user)")
	case s.cfg.tlsConfig != nil && !s.tls: // RFC 3207
		return s.reply(530, "must issue a STARTTLS command first")
	case !s.authOffered(): // no TLS to start: RFC 4954's answer
		return s.reply(538, "encryption required: AUTH is offered over "+
			"TLS (start the server with -tls) or to this machine only")
	case s.helo == "":
		return s.reply(503, "send EHLO first")
	case s.authed:
		return s.reply(503, "already authenticated")
	case s.inMail:
		return s.reply(503, "AUTH is not allowed while sending a message")
	}
	mechanism, initial, _ := strings.Cut(arg, " ")
	mechanism = strings.ToUpper(mechanism)
	if mechanism != "PLAIN" && mechanism != "LOGIN" {
		return s.reply(504, "unknown mechanism: use PLAIN or LOGIN")
	}
	user, password, err := s.credentials(mechanism, initial)
	if err == nil && !s.cfg.valid(user, password) {
		err = errAuthFailed
	}
	switch {
	case err == nil:
		s.authed = true
		return s.reply(235, "authentication succeeded")
	case errors.Is(err, errAuthFailed):
		return s.authFailed(user)
	case errors.Is(err, errAuthCanceled), errors.Is(err, errAuthSyntax):
		return s.reply(501, err.Error())
	}
	return err
}

// authOffered says whether this session may log in: over TLS, or without
// -tls from this machine.
func (s *session) authOffered() bool {
	return s.cfg.user != "" && (s.tls || s.cfg.tlsConfig == nil && s.loopback)
}

// authWarning is the line run prints when the server asks for a password
// (-user) without TLS on an address other machines can reach, or "".
func authWarning(cfg *config, addr net.Addr) string {
	if cfg.user == "" || cfg.tlsConfig != nil || isLoopbackAddr(addr.String()) {
		return ""
	}
	return fmt.Sprintf("warning: -user without -tls on %s: only clients on "+
		"this machine can log in, others get 538 (encryption required); "+
		"add -tls to let them log in over TLS", addr)
}

// maxAuthFailures is how many wrong passwords end a session.
const maxAuthFailures = 3

var errAuthLimit = errors.New("too many failed AUTH attempts")

// authFailed answers a wrong user name or password after authDelay, and
// after maxAuthFailures ends the session with 421. A right password is
// answered at once: the delay costs a user nothing, and a program that
// guesses must connect again, in the queue, every third try.
func (s *session) authFailed(user string) error {
	s.failures++
	s.cfg.log.Printf("%s: AUTH failed for user %.200q", s.remote, user)
	s.pause(authDelay)
	err := s.reply(535, "authentication failed: bad user name or password")
	if err != nil || s.failures < maxAuthFailures {
		return err
	}
	// The client may be gone: nothing to do if this fails.
	_ = s.reply(421, fmt.Sprintf("%d failed logins: closing the connection",
		maxAuthFailures))
	return errAuthLimit
}

// pause waits d, or less if the server is shutting down.
func (s *session) pause(d time.Duration) {
	select {
	case <-time.After(d):
	case <-s.stopped:
	}
}

// credentials reads PLAIN's credentials, base64 of "authzid NUL user NUL
// password", or LOGIN's, the answers to "Username:" and "Password:". Each
// comes on the AUTH line (initial: smtplib sends LOGIN's user name there)
// or after a 334 question.
func (s *session) credentials(mechanism, initial string) (user, password string, err error) {
	if mechanism == "LOGIN" {
		u, err := s.answer(initial, "Username:")
		if err != nil {
			return "", "", err
		}
		p, err := s.answer("", "Password:")
		return string(u), string(p), err
	}
	b, err := s.answer(initial, "")
	if err != nil {
		return "", "", err
	}
	authz, rest, ok1 := strings.Cut(string(b), "\x00")
	user, password, ok2 := strings.Cut(rest, "\x00")
	if !ok1 || !ok2 {
		return "", "", fmt.Errorf("%w: want base64 of NUL user NUL password",
			errAuthSyntax)
	}
	if authz != "" && authz != user {
		return user, "", errAuthFailed // acting as someone else: not here
	}
	return user, password, nil
}

// answer returns initial, or the line that answers question (asked in
// base64 after 334), decoded from base64: "*" cancels, "=" is empty.
func (s *session) answer(initial, question string) ([]byte, error) {
	if initial == "" {
		err := s.reply(334, base64.StdEncoding.EncodeToString([]byte(question)))
		if err == nil {
			initial, err = s.readSecret()
		}
		if err != nil {
			return nil, err
		}
	}
	switch initial {
	case "*":
		return nil, errAuthCanceled
	case "=":
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", errAuthSyntax)
	}
	return b, nil
}

// valid reports whether user and password are the ones configured, in
// constant time: as long for a near miss as for a wild guess.
func (cfg *config) valid(user, password string) bool {
	u := subtle.ConstantTimeCompare([]byte(user), []byte(cfg.user))
	p := subtle.ConstantTimeCompare([]byte(password), []byte(cfg.password))
	return u&p == 1
}
