package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// newMessage parses the addresses and checks the header values.
func newMessage(from string, to, cc, bcc []string, subject string,
	attach []string) (*message, error) {
	// A line break in a header value would end the header and start
	// another: "Hi\r\nBcc: everyone@example.com". Refuse it, whatever
	// the value.
	for _, f := range []struct {
		name   string
		values []string
	}{{"-from", []string{from}}, {"-subject", []string{subject}}, {"-to", to},
		{"-cc", cc}, {"-bcc", bcc}, {"-attach", attach}} {
		for _, v := range f.values {
			if err := checkHeaderValue(v); err != nil {
				return nil, fmt.Errorf("%s %q: %w", f.name, v, err)
			}
		}
	}
	if len(subject) > 900 {
		return nil, errors.New("-subject is too long: 900 bytes at most")
	}
	var m message
	var err error
	if m.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("-from %q: %w", from, err)
	}
	for _, list := range []struct {
		name  string
		flags []string
		dst   *[]*mail.Address
	}{{"-to", to, &m.to}, {"-cc", cc, &m.cc}, {"-bcc", bcc, &m.bcc}} {
		for _, v := range list.flags {
			addrs, err := mail.ParseAddressList(v)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", list.name, v, err)
			}
			*list.dst = append(*list.dst, addrs...)
		}
	}
	if len(m.rcpts()) == 0 {
		return nil, errors.New("no recipients: give -to, -cc or -bcc")
	}
	// The envelope is ASCII unless both sides speak SMTPUTF8, which
	// net/smtp does not. A name may be in any script; an address not.
	for _, a := range append(m.rcpts(), m.from) {
		if strings.ContainsFunc(a.Address, func(r rune) bool { return r > 0x7e }) {
			return nil, fmt.Errorf("address %q is not ASCII: write its domain "+
				"in ASCII (xn--...); other scripts need SMTPUTF8, "+
				"which this client does not speak", a.Address)
		}
	}
	m.subject = subject
	m.attach = attach
	return &m, nil
}

// checkHeaderValue refuses a value that holds a line break or another
// control character, which could end the header it is put in.
func checkHeaderValue(v string) error {
	for _, r := range v {
		if r == '\r' || r == '\n' {
			return errors.New("holds a line break: refused, " +
				"since it could add headers of its own")
		}
		if r < ' ' && r != '\t' || r == 0x7f {
			return errors.New("holds a control character")
		}
	}
	return nil
}

// rcpts is everyone the message goes to: the envelope's recipients.
func (m *message) rcpts() []*mail.Address {
	return append(append(append([]*mail.Address(nil), m.to...), m.cc...), m.bcc...)
}

// writeMessage writes m as an Internet message (RFC 5322) with MIME: the
// headers, a blank line, and the body, every line ending in CRLF.
// Attachments are read from disk as they are written.
func writeMessage(w io.Writer, m *message, now time.Time) error {
	h := header{w: w}
	h.add("From", m.from.String()) // a non-ASCII name is encoded by String
	if len(m.to) > 0 {
		h.add("To", addressList(m.to))
	} else {
		h.add("To", "undisclosed-recipients:;") // Bcc only: an empty group
	}
	if len(m.cc) > 0 {
		h.add("Cc", addressList(m.cc))
	}
	// Header values are ASCII. Anything else travels as an "encoded
	// word", =?utf-8?b?...?=, which mail programs decode for display.
	// A long subject becomes several encoded words: each goes on a line
	// of its own ("folding"), since a header line may not be longer
	// than 998 characters.
	h.add("Subject", strings.ReplaceAll(mime.BEncoding.Encode("utf-8", m.subject),
		"?= =?", "?=\r\n =?"))
	h.add("Date", now.Format(time.RFC1123Z))
	h.add("Message-ID", messageID(m.from.Address))
	h.add("MIME-Version", "1.0")
	if h.err != nil {
		return h.err
	}

	if len(m.attach) == 0 {
		h.add("Content-Type", "text/plain; charset=utf-8")
		h.add("Content-Transfer-Encoding", "quoted-printable")
		h.end()
		if h.err != nil {
			return h.err
		}
		return writeText(w, m.body)
	}

	// With attachments the body has parts, one after another, each with
	// headers of its own, between lines of a boundary that appears
	// nowhere else.
	mw := multipart.NewWriter(w)
	h.add("Content-Type", mime.FormatMediaType("multipart/mixed",
		map[string]string{"boundary": mw.Boundary()}))
	h.end()
	if h.err != nil {
		return h.err
	}
	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	if err := writeText(part, m.body); err != nil {
		return err
	}
	for _, path := range m.attach {
		if err := writeAttachment(mw, path); err != nil {
			return err
		}
	}
	return mw.Close()
}

// header writes header lines, keeping the first error.
type header struct {
	w   io.Writer
	err error
}

func (h *header) add(name, value string) {
	if h.err == nil {
		_, h.err = fmt.Fprintf(h.w, "%s: %s\r\n", name, value)
	}
}

func (h *header) end() {
	if h.err == nil {
		_, h.err = io.WriteString(h.w, "\r\n")
	}
}

func addressList(list []*mail.Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// messageID makes a Message-ID that no other message has.
func messageID(from string) string {
	domain := "localhost"
	if i := strings.LastIndex(from, "@"); i >= 0 {
		domain = from[i+1:]
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + domain + ">"
}

// writeText writes text in quoted-printable: ASCII stays readable, other
// bytes become =XX, and no line is longer than 76 characters. Line
// endings become CRLF.
func writeText(w io.Writer, text string) error {
	qp := quotedprintable.NewWriter(w)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if !strings.HasSuffix(text, "\n") {
		text += "\n" // the last line ends like the others
	}
	if _, err := io.WriteString(qp, text); err != nil {
		return err
	}
	return qp.Close()
}

// writeAttachment adds the file at path as a base64 part. Its type comes
// from its extension; its name goes in Content-Disposition, in the form
// of RFC 2231 (filename*=, percent-encoded UTF-8) when it is not ASCII.
func writeAttachment(mw *multipart.Writer, path string) error {
	name := filepath.Base(path)
	ctype := mime.TypeByExtension(filepath.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("-attach: %w", err)
	}
	defer f.Close()
	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {ctype},
		"Content-Transfer-Encoding": {"base64"},
		"Content-Disposition": {mime.FormatMediaType("attachment",
			map[string]string{"filename": name})},
	})
	if err != nil {
		return err
	}
	// The file is read 32 KiB at a time and encoded on the way: it is
	// never whole in memory, however large.
	lines := &lineWriter{w: part}
	enc := base64.NewEncoder(base64.StdEncoding, lines)
	if _, err := io.Copy(enc, f); err != nil {
		return fmt.Errorf("-attach %s: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return lines.end()
}

// lineWriter breaks what it is given into lines of 76 characters, the
// most MIME allows for base64.
type lineWriter struct {
	w   io.Writer
	col int
}

func (l *lineWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), 76-l.col)]
		if _, err := l.w.Write(chunk); err != nil {
			return n, err
		}
		n += len(chunk)
		l.col += len(chunk)
		p = p[len(chunk):]
		if l.col == 76 {
			if _, err := l.w.Write(crlf); err != nil {
				return n, err
			}
			l.col = 0
		}
	}
	return n, nil
}

// end finishes the last line.
func (l *lineWriter) end() error {
	if l.col == 0 {
		return nil
	}
	_, err := l.w.Write(crlf)
	return err
}

var crlf = []byte("\r\n")
