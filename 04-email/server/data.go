package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"
)

var errTooBig = errors.New("message too big")

// data receives the message and saves it. Only when it is whole and on
// disk does the client hear 250: from then on the client forgets it.
func (s *session) data(arg string) error {
	switch {
	case arg != "":
		return s.reply(501, "DATA takes no argument")
	case !s.inMail:
		return s.reply(503, "send MAIL first")
	case len(s.rcpts) == 0:
		return s.reply(503, "send RCPT first")
	}
	from, rcpts := s.from, s.rcpts
	s.reset() // whatever happens next, this message is done
	name, lost, err := s.receive(from)
	switch {
	case errors.Is(lost, errTooSlow):
		// The client may be gone: nothing to do if this fails.
		_ = s.reply(421, fmt.Sprintf("less than %d bytes a second while "+
			"the server is busy: closing the connection", minDataRate))
		return lost
	case lost != nil:
		return lost
	case errors.Is(err, errTooBig):
		return s.reply(552, fmt.Sprintf("message too big: at most %d bytes; "+
			"not saved", s.cfg.maxSize))
	case err != nil:
		s.cfg.log.Printf("%s: save a message: %v", s.remote, err)
		return s.reply(451, "could not save the message: try again later")
	}
	s.junk, s.saved = 0, time.Now() // a message: the slot is not wasted
	worked(s.tcp)
	if err := s.reply(250, "saved as "+name); err != nil {
		return err
	}
	s.cfg.report.Print(s.summary(name, from, rcpts))
	return nil
}

// receive answers DATA with 354 and saves the message that follows, after
// the trace headers a real server adds, in a temporary file that becomes
// the message when it is whole and synced (saveFile). lost is the
// connection's error, which ends the session; err is the mailbox's, or
// errTooBig, and the session goes on.
func (s *session) receive(from string) (name string, lost, err error) {
	// The time it arrived, and random letters for two in a microsecond.
	name = time.Now().Format("20060102-150405.000000") + "-" +
		rand.Text()[:10] + ".eml"
	name, err = saveFile(s.cfg.mailbox, name, false, func(f io.Writer) error {
		if lost = s.reply(354, "end data with <CR><LF>.<CR><LF>"); lost != nil {
			return lost
		}
		w := bufio.NewWriterSize(f, 64<<10) // Flush reports its first error
		_, _ = fmt.Fprintf(w, "Return-Path: <%s>\r\n", from)
		_, _ = fmt.Fprintf(w, "Received: from %s (%s) by netprog-sink "+
			"with %s; %s\r\n", s.helo, s.remote, s.protocol(),
			time.Now().Format(time.RFC1123Z))
		msg := &capWriter{w: w, max: s.cfg.maxSize}
		if lost = s.readMessage(msg); lost != nil {
			return lost
		}
		if msg.err != nil {
			return msg.err
		}
		return w.Flush()
	})
	return name, lost, err
}

// protocol names how a message came, for its Received header (RFC 3848):
// ESMTP, plus S with TLS, plus A with AUTH.
func (s *session) protocol() string {
	if !s.esmtp {
		return "SMTP"
	}
	p := "ESMTP"
	if s.tls {
		p += "S"
	}
	if s.authed {
		p += "A"
	}
	return p
}

// minDataRate is the least a message must average, in bytes a second,
// while the server is under stress: a client that sends a short line
// every few seconds holds its slot as surely as one that sends nothing.
const minDataRate = 1 << 10

var errTooSlow = errors.New("message too slow while the server is busy")

// readMessage reads the message that follows DATA into msg, -v showing
// it as its size. Each read may wait -timeout (less under stress), so a
// large message on a slow link arrives and a client gone quiet is cut
// off; the whole message, ten times -timeout; and under stress, once
// stressTimeout has passed since the session began or last saved a
// message, it must have come at minDataRate since then, which is work.
func (s *session) readMessage(msg *capWriter) error {
	end := time.Now().Add(10 * s.cfg.timeout)
	var told time.Time // when the listener last heard of work
	hide(s.conn, true)
	defer hide(s.conn, false)
	return readData(s.r, msg, func() error {
		took := time.Since(s.saved)
		switch {
		case took > s.cfg.stressTimeout &&
			float64(msg.n) < minDataRate*took.Seconds():
			if stressed(s.tcp) {
				return errTooSlow
			}
		case time.Since(told) >= time.Second: // not for every line: it costs
			worked(s.tcp) // data at the rate is work
			told = time.Now()
		}
		next := time.Now().Add(s.cfg.timeout)
		if next.After(end) {
			next = end
		}
		return s.tcp.SetReadDeadline(next)
	})
}

// readData copies the message in r to w, up to the line that holds only a
// dot, calling before ahead of each read. A line of the message that
// starts with a dot was sent with a second dot in front (dot-stuffing), so
// that it cannot end the message early; readData takes it off again.
// Lines are copied as they came, however long: w bounds the total.
//
// Only CRLF "." CRLF ends a message. A bare LF is taken as a line end in
// the data (and saved as CRLF), but never as part of the end: if one
// server took LF "." CRLF as the end and another did not, a client could
// hide a second message, with another sender, inside the first ("SMTP
// smuggling").
//
// A line longer than r's buffer comes in pieces, and a piece can end
// between the CR and the LF of a line: so whether a line ended in CRLF is
// known only at its end, from the line's own state (cr), never from the
// last piece alone.
func readData(r *bufio.Reader, w io.Writer, before func() error) error {
	start := true // at the start of a line
	crlf := true  // the line before ended in CRLF; the DATA line did
	cr := false   // the line so far ends in a CR
	for {
		if err := before(); err != nil {
			return err
		}
		piece, err := r.ReadSlice('\n')
		if errors.Is(err, io.EOF) {
			return errors.New("connection closed in the middle of a message")
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
		if start {
			if crlf && string(piece) == ".\r\n" {
				return nil
			}
			piece = bytes.TrimPrefix(piece, []byte("."))
		}
		start = bytes.HasSuffix(piece, []byte("\n"))
		if !start {
			cr = bytes.HasSuffix(piece, []byte("\r"))
			_, _ = w.Write(piece) // w keeps its error for later
			continue
		}
		crlf = bytes.HasSuffix(piece, []byte("\r\n")) || cr && len(piece) == 1
		cr = false
		if !crlf {
			// Saved with CRLF, like every other line. The full
			// slice expression makes append copy, not write into
			// the reader's buffer.
			piece = append(piece[:len(piece)-1:len(piece)-1], '\r', '\n')
		}
		_, _ = w.Write(piece) // w keeps its error for later
	}
}

// capWriter writes to w until more than max bytes have come, or a write
// fails; then it only counts, and keeps the error: the session still
// reads the message to its end, to stay in step with the client.
type capWriter struct {
	w   io.Writer
	n   int64
	max int64
	err error
}

func (c *capWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.err == nil && c.n > c.max {
		c.err = errTooBig
	}
	if c.err == nil {
		_, c.err = c.w.Write(p)
	}
	return len(p), nil
}
