// This file is the same in every program: 01-tcp-time/client,
// 01-tcp-time/server, 02-file-transfer/client, 02-file-transfer/server,
// 03-image-download/client, 03-image-download/server, 04-email/client,
// 04-email/server, 05-sms/client and 05-sms/server. A test keeps the
// copies identical.

package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// wire prints a conversation as it happens, for -v: a line for each line
// that crosses the network, marked with who sent it, "C:" the client and
// "S:" the server, as Python's smtplib.set_debuglevel(1) and curl -v do,
// and "*" for what the program notes about the connection itself. Text
// goes through quote, so nothing from the network drives the terminal,
// and each line is printed whole: lines of two connections never mix.
//
// A nil *wire prints nothing, so a program calls it the same way whether
// -v is on or not.
type wire struct {
	mu     *sync.Mutex // shared by every wire of one program
	w      io.Writer
	prefix string // before every line: on a server, the client's address
}

// newWire returns a wire that prints to w, or nil when verbose is false.
func newWire(w io.Writer, verbose bool) *wire {
	if !verbose {
		return nil
	}
	return &wire{mu: new(sync.Mutex), w: w}
}

// line prints what who ("C:" or "S:") sent: text, a line or several, each
// printed as a line of its own and all of them together.
func (l *wire) line(who, text string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		// -v is best effort: a failed write to stderr changes nothing.
		_, _ = fmt.Fprintf(l.w, "%s%s %s\n", l.prefix, who,
			quote(strings.TrimSuffix(s, "\r")))
	}
}

// note prints a line about the connection itself, marked "*": that it
// opened or closed, what TLS it uses, how many bytes went by. Text in it
// that came from the network must be quoted by the caller.
func (l *wire) note(format string, args ...any) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = fmt.Fprintf(l.w, "%s* %s\n", l.prefix, fmt.Sprintf(format, args...)) // best effort
}
