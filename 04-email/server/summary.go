package main

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path/filepath"
	"strconv"
	"strings"
)

// summary makes the line printed for a saved message, e.g.
//
//	from a@example.com to b@example.com: "Hi" (attachments: a.txt 12 B)
//	saved mailbox/20261125-135501.123456-X5VNGZQ2KA.eml
//
// all on one line.
func (s *session) summary(name, from string, rcpts []string) string {
	if from == "" {
		from = "<>"
	}
	var what string
	if f, err := s.cfg.mailbox.Open(name); err != nil {
		what = fmt.Sprintf("(not readable: %v)", err)
	} else {
		what = describe(f)
		_ = f.Close() // only read from
	}
	return fmt.Sprintf("from %s to %s: %s saved %s", safe(from),
		safe(strings.Join(rcpts, ", ")), what, filepath.Join(s.cfg.dir, name))
}

// describe reads a message and returns its subject, quoted, and its
// attachments with their sizes; or why it cannot be read. A message is
// headers, a blank line, and a body (RFC 5322); MIME (RFC 2045-2049) adds
// bodies made of parts, each with headers of its own, and encodings that
// carry any bytes as ASCII text.
func describe(r io.Reader) string {
	msg, err := mail.ReadMessage(bufio.NewReader(r))
	if err != nil {
		return fmt.Sprintf("(not parseable: %v)", err)
	}
	// Headers are ASCII; other text comes as "encoded words" such as
	// =?utf-8?b?...?= (RFC 2047). A charset Go does not know stays
	// encoded.
	subject := msg.Header.Get("Subject")
	var dec mime.WordDecoder
	if s, err := dec.DecodeHeader(subject); err == nil {
		subject = s
	}
	var files []string
	err = attachments(textproto.MIMEHeader(msg.Header), msg.Body, 0, &files)
	if err != nil {
		return fmt.Sprintf("%q (not parseable: %v)", subject, err)
	}
	if len(files) == 0 {
		return strconv.Quote(subject)
	}
	return fmt.Sprintf("%q (attachments: %s)", subject, strings.Join(files, ", "))
}

// maxDepth bounds how deeply describe follows parts within parts.
const maxDepth = 10

// attachments appends to files the name and size of each attachment in a
// part with header h and body body, following the parts of a multipart
// body down to maxDepth.
func attachments(h textproto.MIMEHeader, body io.Reader, depth int,
	files *[]string) error {
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err == nil && strings.HasPrefix(mediaType, "multipart/") {
		if depth == maxDepth {
			return errors.New("parts nested too deeply")
		}
		parts := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart leaves the encoding to us: we decode
			// only the attachments, to count their bytes.
			part, err := parts.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := attachments(part.Header, part, depth+1, files); err != nil {
				return err
			}
		}
	}
	name, ok := attachmentName(h.Get("Content-Disposition"))
	if !ok {
		return nil // a part shown in the message: not an attachment
	}
	var data io.Reader = body
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "base64":
		data = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		data = quotedprintable.NewReader(body)
	}
	n, err := io.Copy(io.Discard, data)
	if err != nil {
		return fmt.Errorf("attachment %q: %w", name, err)
	}
	*files = append(*files, safe(name)+" "+formatSize(n))
	return nil
}

// attachmentName reads a Content-Disposition header such as
// `attachment; filename="a.txt"`. mime.ParseMediaType also decodes the
// RFC 2231 form for names that are not ASCII, filename*=utf-8”%E6%9C%AC.
func attachmentName(header string) (name string, ok bool) {
	var dec mime.WordDecoder
	// Python's email package encodes the whole header as one encoded
	// word when the name is not ASCII: decode it first.
	if s, err := dec.DecodeHeader(header); err == nil {
		header = s
	}
	disposition, params, err := mime.ParseMediaType(header)
	if disposition != "attachment" {
		return "", false
	}
	name = params["filename"]
	if errors.Is(err, mime.ErrInvalidMediaParameter) {
		// And then the name is not in quotes, which MIME does not
		// allow for non-ASCII: take what follows "filename=".
		_, after, _ := strings.Cut(header, "filename=")
		name, _, _ = strings.Cut(after, ";")
		name = strings.Trim(name, `" `)
	}
	// Some mail programs put encoded words inside the quotes.
	if s, err := dec.DecodeHeader(name); err == nil {
		name = s
	}
	if name == "" {
		name = "(no name)"
	}
	return name, true
}

// formatSize writes n bytes as mail programs show sizes: 12 B, 5.1 KB.
func formatSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// safe returns s as it is if it is printable, and quoted with escapes if
// not: a name that comes from the network must not send control
// characters to the terminal.
func safe(s string) string {
	if q := strconv.Quote(s); q[1:len(q)-1] != s {
		return q
	}
	return s
}
