package main

import (
	"errors"
	"fmt"
	"net/smtp"
	"strings"
)

// AUTH sends the user name and password in base64, which hides nothing:
// the client logs in only over TLS, or to this machine, whose bytes never
// cross a network.

// isLoopbackHost says whether host names this machine, by the names
// net/smtp's PlainAuth also takes as safe without TLS.
func isLoopbackHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// auth picks how to log in: AUTH PLAIN, or AUTH LOGIN when that is all the
// server offers.
func (s *sender) auth(c *smtp.Client) smtp.Auth {
	_, mechs := c.Extension("AUTH")
	if !strings.Contains(" "+strings.ToUpper(mechs)+" ", " PLAIN ") &&
		strings.Contains(" "+strings.ToUpper(mechs)+" ", " LOGIN ") {
		return &loginAuth{user: s.user, password: s.password}
	}
	return smtp.PlainAuth("", s.user, s.password, s.host)
}

// loginAuth is AUTH LOGIN: the server asks "Username:" and "Password:"
// (in base64, which net/smtp decodes), and the client answers each.
type loginAuth struct{ user, password string }

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLoopbackHost(server.Name) {
		return "", nil, errors.New("refusing AUTH LOGIN without TLS")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:":
		return []byte(a.user), nil
	case "password:":
		return []byte(a.password), nil
	}
	return nil, fmt.Errorf("unexpected AUTH LOGIN question %s",
		quote(string(fromServer)))
}
