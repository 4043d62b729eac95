package main

import (
	"encoding/base64"
	"fmt"
	"net/textproto"
	"regexp"
	"strings"
)

// AUTH (RFC 4954) sends the user name and password in base64, which
// hides nothing: the client logs in only over TLS, or to this machine,
// whose bytes never cross a network (login, in send.go).

// auth logs in with AUTH PLAIN, or AUTH LOGIN, whichever the server
// offers in mechs, its EHLO's AUTH line; nothing it did not offer.
func (s *sender) auth(c *client, mechs string) error {
	switch m := " " + strings.ToUpper(mechs) + " "; {
	case strings.Contains(m, " PLAIN "):
		return c.authPlain(s.user, s.password)
	case strings.Contains(m, " LOGIN "):
		return c.authLogin(s.user, s.password)
	}
	return fmt.Errorf("the server offers AUTH %s; this client speaks "+
		"only PLAIN and LOGIN", mechs)
}

// authPlain logs in in one line (RFC 4616): base64 of the name to act
// as (empty: the user's own), NUL, the user name, NUL, the password.
func (c *client) authPlain(user, password string) error {
	blob := "\x00" + user + "\x00" + password
	_, _, err := c.secret(235, "AUTH PLAIN <hidden>", "AUTH PLAIN "+b64(blob))
	return err
}

// authLogin logs in by answering two questions, "Username:" and
// "Password:", each asked with 334 and answered in base64, as RFC 4954's
// exchanges are; LOGIN itself is only a draft, but widely spoken.
func (c *client) authLogin(user, password string) error {
	code, question, err := c.cmd(0, "AUTH LOGIN")
	for range 2 {
		if err != nil || code != 334 {
			break
		}
		answer, bad := c.loginAnswer(question, user, password)
		if bad != nil {
			return bad
		}
		code, question, err = c.secret(0, "<hidden>", b64(answer))
	}
	if err == nil && code != 235 {
		err = &textproto.Error{Code: code, Msg: c.transcript.hide(question)}
	}
	return err
}

// loginAnswer answers one question of AUTH LOGIN, which comes in base64.
func (c *client) loginAnswer(question, user, password string) (string, error) {
	q, err := base64.StdEncoding.DecodeString(question)
	if err != nil {
		return "", fmt.Errorf("AUTH LOGIN question %s is not base64",
			quote(c.transcript.hide(question)))
	}
	switch strings.ToLower(strings.TrimSpace(string(q))) {
	case "username:":
		return user, nil
	case "password:":
		return password, nil
	}
	return "", fmt.Errorf("unexpected AUTH LOGIN question %s",
		quote(c.transcript.hide(string(q))))
}

// secret is cmd for a line that holds a credential: -v shows shown in
// its place. Only the client knows which lines those are (transcript.go).
func (c *client) secret(want int, shown, line string) (int, string, error) {
	c.transcript.hidden = shown
	defer func() { c.transcript.hidden = "" }()
	return c.cmd(want, "%s", line)
}

// credentials matches what a server might echo of the credentials, in any
// letter case: the password, and in base64 each line that carries one
// (AUTH PLAIN's, AUTH LOGIN's answers). Each reply the client prints, in
// an error or with -v, shows <hidden> in their place (transcript.hide).
// Without -user it is nil.
func credentials(user, password string) *regexp.Regexp {
	if user == "" {
		return nil
	}
	alts := []string{b64("\x00" + user + "\x00" + password), b64(password),
		b64(user), password}
	for i, a := range alts {
		alts[i] = regexp.QuoteMeta(a)
	}
	re := regexp.MustCompile("(?i)" + strings.Join(alts, "|"))
	re.Longest() // all of a line's base64, not a shorter one it starts with
	return re
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
