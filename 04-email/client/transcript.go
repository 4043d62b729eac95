package main

import (
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"strings"
)

// -v shows every line that crosses the wire, but for two things. The
// credentials are shown as <hidden>: base64 is an encoding, and the line
// AUTH PLAIN sends is the password. And the message's body is shown as
// its size: its headers say what it is, and a 50 MiB attachment is
// 700,000 lines of base64.

// transcript follows the conversation a line at a time, to know which
// lines are credentials and which are the body. It is wireConn's show.
//
// What the client writes is a credential, or the message, when the
// client says so: its AUTH code sets hidden while it writes a credential
// (client.secret), and client.data sets state once the server has said
// 354. The replies cannot say: a server may send two in one write, and
// the wrapper reads the second before the client answers the first, so
// "334 Password:" then "250" would end AUTH before the password went.
//
// A server's lines are shown as they came, but for the credentials: a
// careless or hostile server may echo them back ("535 you sent
// aHVudGVyMnB3"). hide puts <hidden> in their place, in each reply -v
// shows and in each the client prints in an error (client.reply).
//
// show needs no lock: it runs on the one goroutine that sends the
// message, in the Read, Write or Close that goroutine is making, and
// hidden is set on that goroutine between them. (Ctrl-C only sets a
// deadline, from another goroutine: send.)
type transcript struct {
	hidden  string         // shown instead of the line being written, if not ""
	secrets *regexp.Regexp // the credentials (auth.go), or nil
	state   int            // where the client is in sending a message: see below
	body    int64          // bytes of the body so far
}

const (
	inCommands = iota // no message on its way
	inHeaders         // the message's headers, up to a blank line
	inBody            // its body, up to the line with a dot alone
)

func (t *transcript) show(who, line string) (string, bool) {
	switch {
	case who == "S:":
		return t.hide(line), true
	case t.hidden != "":
		return t.hidden, true
	case t.state == inHeaders:
		if line == "" {
			t.state = inBody
		}
		return line, true
	case t.state == inBody && line == ".":
		n := t.body
		t.state, t.body = inCommands, 0
		return fmt.Sprintf("<%s bytes of body>\n.", thousands(n)), true
	case t.state == inBody:
		// The body as the server keeps it: without the dot that
		// dot-stuffing added, with its CRLF.
		t.body += int64(len(strings.TrimPrefix(line, "."))) + 2
		return "", false
	}
	return line, true
}

// hide shows <hidden> in place of the credentials in s, a server's text.
func (t *transcript) hide(s string) string {
	if t.secrets == nil {
		return s
	}
	return t.secrets.ReplaceAllLiteralString(s, "<hidden>")
}

// hideErr hides the credentials in the error of a reply, which is
// printed: the text of a *textproto.Error, or a reply that made no sense.
func (t *transcript) hideErr(err error) error {
	var tpErr *textproto.Error
	if errors.As(err, &tpErr) {
		tpErr.Msg = t.hide(tpErr.Msg)
	} else if err != nil {
		err = textproto.ProtocolError(t.hide(err.Error()))
	}
	return err
}
