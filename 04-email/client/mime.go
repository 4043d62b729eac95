package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
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

// writeMessage writes m as an Internet message (RFC 5322) with MIME: the
// headers, a blank line, and the body, every line ending in CRLF.
// Attachments are read from disk as they are written.
func writeMessage(w io.Writer, m *message, now time.Time) error {
	var h bytes.Buffer // the header, written whole
	add := func(name, value string) { fmt.Fprintf(&h, "%s: %s\r\n", name, value) }
	add("From", m.from.String()) // a non-ASCII name is encoded by String

	to := "undisclosed-recipients:;" // Bcc only: an empty group
	if len(m.to) > 0 {
		to = addressList(m.to)
	}
	add("To", to)
	if len(m.cc) > 0 {
		add("Cc", addressList(m.cc))
	}
	// Header values are ASCII. Anything else travels as an "encoded
	// word", =?utf-8?b?...?=, which mail programs decode for display.
	// A long subject becomes several encoded words: each goes on a line
	// of its own ("folding"), since a header line may not be longer
	// than 998 characters.
	add("Subject", strings.ReplaceAll(mime.BEncoding.Encode("utf-8", m.subject),
		"?= =?", "?=\r\n =?"))
	add("Date", now.Format(time.RFC1123Z))
	add("Message-ID", messageID(m.from.Address))
	add("MIME-Version", "1.0")
	text := textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"}}
	if len(m.attach) == 0 {
		add("Content-Type", text.Get("Content-Type"))
		add("Content-Transfer-Encoding", text.Get("Content-Transfer-Encoding"))
		_, err := fmt.Fprintf(w, "%s\r\n", h.Bytes())
		if err == nil {
			err = writeText(w, m.body)
		}
		return err
	}
	// A body of parts, each with headers of its own, between lines of a
	// boundary that appears nowhere else: the text, then each file.
	mw := multipart.NewWriter(w)
	add("Content-Type", mime.FormatMediaType("multipart/mixed",
		map[string]string{"boundary": mw.Boundary()}))
	_, err := fmt.Fprintf(w, "%s\r\n", h.Bytes())
	var part io.Writer
	if err == nil {
		part, err = mw.CreatePart(text)
	}
	if err == nil {
		err = writeText(part, m.body)
	}
	for _, path := range m.attach {
		if err == nil {
			err = writeAttachment(mw, path)
		}
	}
	if err != nil {
		return err
	}
	return mw.Close()
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
