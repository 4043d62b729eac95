package main

import (
	"encoding/base64"
	"fmt"
	"net/textproto"
	"regexp"
	"strings"
)

// auth logs in (RFC 4954) with AUTH PLAIN or LOGIN, as the server offers
// in mechs, its EHLO's AUTH line. The credentials go in base64, which
// hides nothing: so only over TLS or to this machine (hello).
func (c *client) auth(mechs string) error {
	var code int
	var question string
	var err error
	switch m := " " + strings.ToUpper(mechs) + " "; {
	case strings.Contains(m, " PLAIN "):
		// One line (RFC 4616): base64 of the name to act as (empty:
		// the user's own), NUL, the user name, NUL, the password.
		_, _ = c.text.W.WriteString("AUTH PLAIN ")
		_ = c.text.W.Flush() // an error comes back from secret
		code, question, err = c.secret("\x00" + c.user + "\x00" + c.password)
	case strings.Contains(m, " LOGIN "):
		// Two questions in base64, each asked with 334.
		code, question, err = c.cmd(0, "AUTH LOGIN")
		for _, qa := range [][2]string{{"Username:", c.user}, {"Password:", c.password}} {
			q, _ := base64.StdEncoding.DecodeString(question)
			if err != nil || code != 334 || !strings.EqualFold(string(q), qa[0]) {
				break
			}
			code, question, err = c.secret(qa[1])
		}
	default:
		return fmt.Errorf("the server offers AUTH %q; this client speaks "+
			"only PLAIN and LOGIN", mechs)
	}
	if err == nil && code != 235 {
		err = replyError{&textproto.Error{Code: code, Msg: question}}
	}
	return err
}

// secret sends a credential in base64 on a line, -v showing its size, and
// reads the reply.
func (c *client) secret(s string) (int, string, error) {
	hide(c.conn, true)
	err := c.text.PrintfLine("%s", base64.StdEncoding.EncodeToString([]byte(s)))
	hide(c.conn, false)
	if err != nil {
		return 0, "", err
	}
	return c.reply(0)
}

// credentials matches what a server might echo of the credentials, in any
// letter case: the password, and in base64 each line that carries one
// (AUTH PLAIN's, AUTH LOGIN's answers). Without -user it is nil.
func credentials(user, password string) *regexp.Regexp {
	if user == "" {
		return nil
	}
	var alts []string
	for _, s := range []string{"\x00" + user + "\x00" + password, password, user} {
		alts = append(alts, regexp.QuoteMeta(base64.StdEncoding.EncodeToString([]byte(s))))
	}
	re := regexp.MustCompile("(?i)" + strings.Join(alts, "|") + "|" +
		regexp.QuoteMeta(password))
	re.Longest() // all of a line's base64, not a shorter one it starts with
	return re
}
