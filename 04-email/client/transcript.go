package main

import (
	"fmt"
	"strings"
)

// -v shows every line that crosses the wire, but for two things. The
// credentials are shown as <hidden>: base64 is an encoding, and the line
// AUTH PLAIN sends is the password. And the message's body is shown as
// its size: its headers say what it is, and a 50 MiB attachment is
// 700,000 lines of base64.

// transcript follows the conversation a line at a time, to know which
// lines are credentials and which are the body. It is wireConn's show.
type transcript struct {
	auth  bool  // in an AUTH exchange: the client's lines are credentials
	state int   // where the client is in sending a message: see below
	body  int64 // bytes of the body so far
}

const (
	inCommands  = iota // no message on its way
	inDataAsked        // DATA sent: 354 lets the message follow
	inHeaders          // the message's headers, up to a blank line
	inBody             // its body, up to the line with a dot alone
)

func (t *transcript) show(who, line string) (string, bool) {
	if who == "S:" {
		t.reply(line)
		return line, true
	}
	switch {
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
	case t.auth:
		return "<hidden>", true
	}
	verb, arg, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "AUTH":
		t.auth = true
		if mech, initial, _ := strings.Cut(arg, " "); initial != "" {
			return "AUTH " + mech + " <hidden>", true
		}
	case "DATA":
		t.state = inDataAsked
	}
	return line, true
}

// reply follows the server's replies. The last line of one (a space
// after the code, not a dash) ends an AUTH exchange unless it asks for
// more (334), and says whether the message may follow DATA (354).
func (t *transcript) reply(line string) {
	if len(line) > 3 && line[3] == '-' {
		return
	}
	code := line[:min(3, len(line))]
	if code != "334" {
		t.auth = false
	}
	if t.state == inDataAsked {
		t.state = inCommands
		if code == "354" {
			t.state = inHeaders
		}
	}
}
