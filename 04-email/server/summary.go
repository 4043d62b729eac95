package main

import (
	"bufio"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path/filepath"
	"strings"
)

// summary makes the line printed for a saved message: from "a@example.com"
// to "b@example.com"; subject "Hi"; attachments "a.txt" 12 B; saved NAME.
// All but the name came from the client: each piece is quoted and cut
// (%.200q), and the lists are cut short, so the line stays a few
// kilobytes, whatever the message holds.
func (s *session) summary(name, from string, rcpts []string) string {
	if from == "" {
		from = "<>"
	}
	to := list{}
	for _, rcpt := range rcpts {
		to.add(fmt.Sprintf("%.200q", rcpt))
	}
	what := "not readable"
	if f, err := s.cfg.mailbox.Open(name); err != nil {
		what += ": " + err.Error()
	} else {
		what = describe(f)
		_ = f.Close() // only read from
	}
	return fmt.Sprintf("from %.200q to %s; %s; saved %s", from, &to, what,
		filepath.Join(s.cfg.dir, name))
}

// maxListed is how many recipients or attachments a summary names.
const maxListed = 10

// list is the first maxListed items added to it, and how many came.
type list struct {
	shown []string
	n     int
}

func (l *list) add(item string) {
	if l.n < maxListed {
		l.shown = append(l.shown, item)
	}
	l.n++
}

// String returns the items shown, and how many more: "a, b and 3 more".
func (l *list) String() string {
	s := strings.Join(l.shown, ", ")
	if more := l.n - len(l.shown); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// describe reads a message and returns its subject and its attachments
// with their sizes, or why it cannot be read. A message is headers, a
// blank line, and a body (RFC 5322); MIME (RFC 2045-2049) adds bodies of
// parts, each with headers of its own, and encodings of any bytes as text.
func describe(r io.Reader) string {
	lr := &io.LimitedReader{R: r, N: maxHeader}
	br := bufio.NewReader(lr)
	msg, err := mail.ReadMessage(br)
	if lr.N == 0 && err == nil {
		_, err = br.Peek(1) // a header cut at the limit leaves no body
	}
	if lr.N == 0 && err != nil {
		err = errLongHeader
	}
	if err != nil {
		return fmt.Sprintf("not parseable: %.200q", err)
	}
	lr.N = math.MaxInt64 // the body is read as it comes, not kept
	// Other text than ASCII comes as "encoded words", =?utf-8?b?...?=
	// (RFC 2047); in a charset Go does not know, it stays encoded.
	subject := msg.Header.Get("Subject")
	var dec mime.WordDecoder
	if s, err := dec.DecodeHeader(subject); err == nil {
		subject = s
	}
	what := fmt.Sprintf("subject %.200q", subject)
	if subject == "" {
		what = "no subject"
	}
	var files list
	err = attachments(textproto.MIMEHeader(msg.Header), msg.Body, 0, &files)
	if files.n > 0 {
		what += "; attachments " + files.String()
	}
	if err != nil {
		what += fmt.Sprintf("; not parseable: %.200q", err)
	}
	return what
}

// maxHeader is how much describe reads of a header, the message's or a
// part's, before it gives up: a header is kept whole while it is read.
const maxHeader = 64 << 10

var errLongHeader = fmt.Errorf("a header longer than %s",
	formatSize(maxHeader))

// maxDepth bounds how deeply describe follows parts within parts.
const maxDepth = 10

// attachments appends to files the name and size of each attachment in a
// part with header h and body body, following the parts of a multipart
// body down to maxDepth.
func attachments(h textproto.MIMEHeader, body io.Reader, depth int,
	files *list) error {
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err == nil && strings.HasPrefix(mediaType, "multipart/") {
		if depth == maxDepth {
			return errors.New("parts nested too deeply")
		}
		lr := &io.LimitedReader{R: body}
		parts := multipart.NewReader(lr, params["boundary"])
		for {
			// NextRawPart reads a part's header (so within
			// maxHeader), and leaves its encoding to us.
			lr.N = maxHeader
			part, err := parts.NextRawPart()
			switch {
			case err != nil && lr.N == 0:
				return errLongHeader
			case errors.Is(err, io.EOF):
				return nil
			case err != nil:
				return err
			}
			lr.N = math.MaxInt64
			if err := attachments(part.Header, part, depth+1, files); err != nil {
				return err
			}
			// The rest of the part, unbounded, before the bound.
			if _, err := io.Copy(io.Discard, part); err != nil {
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
		return fmt.Errorf("attachment %.200q: %w", name, err)
	}
	files.add(fmt.Sprintf("%.200q %s", name, formatSize(n)))
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
