package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// -v shows each session's conversation: every line the session reads
// (marked "C:") and every reply it writes ("S:"), after the client's
// address. Two things are left out. The credentials are shown as
// <hidden>: base64 is an encoding, and the line AUTH PLAIN sends is the
// password. And the message's body is shown as its size: its headers say
// what it is, and a 50 MiB attachment is 700,000 lines of base64.

// readCommand reads a command line, and with -v shows it, the
// credentials on an AUTH line hidden.
func (s *session) readCommand() (string, error) {
	line, err := s.nextLine()
	switch {
	case s.wire == nil:
	case err == nil:
		s.wire.line("C:", hideAuth(line))
	case errors.Is(err, errLineTooLong):
		s.wire.line("C:", fmt.Sprintf("<a line of more than %d bytes>", maxLine))
	}
	return line, err
}

// readSecret reads a line that answers a question of AUTH: with -v, it
// is shown as <hidden>.
func (s *session) readSecret() (string, error) {
	line, err := s.nextLine()
	if err == nil {
		s.wire.line("C:", "<hidden>")
	}
	return line, err
}

// hideAuth hides what follows the mechanism on an AUTH line: "AUTH PLAIN
// <hidden>". A mechanism's name is capitals, digits, - and _, 20 at most
// (RFC 4422 3.1): anything else there may be a secret sent in the wrong
// place, and is hidden too.
//
// And it hides a line that may be an answer to AUTH read as a command. A
// client that pipelines AUTH LOGIN sends its answers without waiting for
// the 334s that ask for them: if the AUTH is refused (not offered, 501,
// 504), they come as commands. An answer is one word of base64; so a
// line that is one such word, and not a command the sink knows, is
// shown as <hidden>.
func hideAuth(line string) string {
	f := strings.Fields(line)
	switch {
	case len(f) == 1 && strings.Trim(f[0], base64Chars) == "" &&
		!slices.Contains(strings.Fields(commands), strings.ToUpper(f[0])):
		return "<hidden>"
	case len(f) < 2 || !strings.EqualFold(f[0], "AUTH"):
		return line
	case len(f) == 2 && saslName(f[1]):
		return line
	case saslName(f[1]):
		return f[0] + " " + f[1] + " <hidden>"
	}
	return f[0] + " <hidden>"
}

const base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" +
	"abcdefghijklmnopqrstuvwxyz0123456789+/="

func saslName(s string) bool {
	return len(s) <= 20 && strings.Trim(s,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == ""
}

// showData returns w, or with -v a writer that passes what it is given
// to w and shows the message's headers, then counts its body; done shows
// the body's size and the end of the message, once it has come whole.
func (s *session) showData(w io.Writer) (io.Writer, func()) {
	if s.wire == nil {
		return w, func() {}
	}
	d := &dataShown{w: w, wire: s.wire}
	return d, d.done
}

// maxHeaderLines bounds the lines -v shows as headers: a message with no
// blank line is all headers, and 25 MiB of it would be millions of lines.
const maxHeaderLines = 100

// dataShown is showData's writer. It is given a message as readData
// writes it: a line at a time, or a piece of a longer one, with the
// dot-stuffing undone and CRLF at every line's end.
type dataShown struct {
	w       io.Writer
	wire    *wire
	line    []byte // the header line so far
	headers int    // the header lines shown
	inBody  bool   // the blank line after the headers has come
	body    int64  // the bytes of the body so far
}

func (d *dataShown) Write(p []byte) (int, error) {
	if d.inBody {
		d.body += int64(len(p))
		return d.w.Write(p)
	}
	d.line = append(d.line, p[:min(len(p), maxLine-len(d.line))]...)
	if bytes.HasSuffix(p, []byte("\n")) {
		header := strings.TrimSuffix(string(d.line), "\r\n")
		d.wire.line("C:", header)
		d.headers++
		d.inBody, d.line = header == "", d.line[:0]
		if !d.inBody && d.headers == maxHeaderLines {
			d.wire.line("C:", fmt.Sprintf("<%d lines of headers shown: "+
				"the rest is counted as body>", maxHeaderLines))
			d.inBody = true
		}
	}
	return d.w.Write(p)
}

func (d *dataShown) done() {
	d.wire.line("C:", fmt.Sprintf("<%s bytes of body>\n.", thousands(d.body)))
}
