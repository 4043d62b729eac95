package main

import (
	"bufio"
	"bytes"
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
	// Header values are ASCII: other text travels as "encoded words",
	// =?utf-8?b?...?=, which mail programs decode for display. Each goes
	// on a line of its own, since a line may not pass 998 characters.
	add("Subject", strings.ReplaceAll(mime.BEncoding.Encode("utf-8", m.subject),
		"?= =?", "?=\r\n =?"))
	add("Date", now.Format(time.RFC1123Z))
	domain := m.from.Address[strings.LastIndex(m.from.Address, "@"):]
	add("Message-ID", "<"+strings.ToLower(rand.Text())+domain+">")
	add("MIME-Version", "1.0")
	text := textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"}}
	mw := multipart.NewWriter(w)
	if len(m.attach) == 0 {
		add("Content-Type", text.Get("Content-Type"))
		add("Content-Transfer-Encoding", text.Get("Content-Transfer-Encoding"))
	} else {
		// A body of parts, each with headers of its own, between lines
		// of a boundary found nowhere else: the text, then each file.
		add("Content-Type", "multipart/mixed; boundary="+mw.Boundary())
	}
	body := w // where the text goes: the body, or its first part
	_, err := fmt.Fprintf(w, "%s\r\n", h.Bytes())
	if err == nil && len(m.attach) > 0 {
		body, err = mw.CreatePart(text)
	}
	if err == nil {
		err = writeText(body, m.body)
	}
	for _, path := range m.attach {
		if err == nil {
			err = writeAttachment(mw, path)
		}
	}
	if err != nil || len(m.attach) == 0 {
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

// writeText writes text in quoted-printable, lines ending in CRLF: ASCII
// stays readable, other bytes become =XX, no line passes 76 characters.
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
	// Read 32 KiB at a time, never whole in memory: each 57 bytes are a
	// line of base64, 76 characters, the most MIME allows.
	r := bufio.NewReaderSize(f, 32<<10)
	in, line := make([]byte, 57), make([]byte, 78)
	for {
		n, err := io.ReadFull(r, in)
		if n > 0 {
			base64.StdEncoding.Encode(line, in[:n])
			end := base64.StdEncoding.EncodedLen(n)
			if _, err := part.Write(append(line[:end], "\r\n"...)); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("-attach %s: %w", path, err)
		}
	}
}
