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
//
// What the client writes is a credential when the client says so: its
// AUTH code sets hidden while it writes one (client.secret). The
// replies cannot say: a server may send two in one write, and the
// wrapper reads the second before the client answers the first, so
// "334 Password:" then "250" would end AUTH before the password went.
//
// show needs no lock: it runs on the one goroutine that sends the
// message, in the Read, Write or Close that goroutine is making, and
// hidden is set on that goroutine between them. (Ctrl-C only sets a
// deadline, from another goroutine: send.)
type transcript struct {
	hidden string // shown instead of the line being written, if not ""
	state  int    // where the client is in sending a message: see below
	body   int64  // bytes of the body so far
}

const (
	inCommands  = iota // no message on its way
	inDataAsked        // DATA sent: 354 lets the message follow
	inHeaders          // the message's headers, up to a blank line
	inBody             // its body, up to the line with a dot alone
)

func (t *transcript) show(who, line string) (string, bool) {
	switch {
	case who == "S:":
		t.reply(line)
		return line, true
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
	if strings.EqualFold(line, "DATA") {
		t.state = inDataAsked
	}
	return line, true
}

// reply follows the server's replies. The last line of one (a space
// after the code, not a dash) says whether the message may follow DATA
// (354).
func (t *transcript) reply(line string) {
	if len(line) > 3 && line[3] == '-' {
		return
	}
	code := line[:min(3, len(line))]
	if t.state == inDataAsked {
		t.state = inCommands
		if code == "354" {
			t.state = inHeaders
		}
	}
}
