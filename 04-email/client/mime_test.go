package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// parsed is a message read back with net/mail and mime/multipart.
type parsed struct {
	header mail.Header
	body   string
	files  map[string][]byte // attachments by name
}

// parse reads a message as a mail program would, decoding every part.
func parse(tb testing.TB, msg string) parsed {
	tb.Helper()
	m, err := mail.ReadMessage(strings.NewReader(msg))
	if err != nil {
		tb.Fatalf("not a message: %v", err)
	}
	p := parsed{header: m.Header, files: map[string][]byte{}}
	ctype, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		tb.Fatalf("Content-Type: %v", err)
	}
	if !strings.HasPrefix(ctype, "multipart/") {
		p.body = decodePart(tb, m.Header.Get("Content-Transfer-Encoding"), m.Body)
		return p
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable by itself
		if errors.Is(err, io.EOF) {
			return p
		}
		if err != nil {
			tb.Fatalf("next part: %v", err)
		}
		data := decodePart(tb, part.Header.Get("Content-Transfer-Encoding"), part)
		if name := part.FileName(); name != "" {
			p.files[name] = []byte(data)
		} else {
			p.body = data
		}
	}
}

func decodePart(tb testing.TB, encoding string, r io.Reader) string {
	tb.Helper()
	if encoding == "base64" {
		r = base64.NewDecoder(base64.StdEncoding, r) // skips line breaks
	}
	if encoding == "quoted-printable" {
		r = quotedprintable.NewReader(r)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		tb.Fatalf("decode %s: %v", encoding, err)
	}
	return string(data)
}

// sampleDate is the Date of the messages the tests write.
var sampleDate = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// writeSample writes a message like the tutorial's: names and a subject in
// Chinese, a blind copy, a text with a line that starts with a dot, and
// two attachments, one with a Chinese name. It returns the message as
// written, its text, and the attachments by name.
func writeSample(tb testing.TB) (raw, body string, files map[string][]byte) {
	tb.Helper()
	data := make([]byte, 100_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	files = map[string][]byte{"hello.txt": []byte("hello\n"), "本月数据.xlsx": data}
	hello := writeFile(tb, "hello.txt", files["hello.txt"])
	xlsx := writeFile(tb, "本月数据.xlsx", data)
	m, err := (&flags{from: "王大锤 <abcdefg@126.com>",
		to: []string{"骆昊 <uvwxyz@qq.com>, b@example.com"}, cc: []string{"c@example.com"},
		bcc: []string{"secret@example.com"}, subject: "示例代码实验邮件",
		attach: []string{hello, xlsx}}).message()
	if err != nil {
		tb.Fatal(err)
	}
	m.body = "请查收附件中的本月数据\n.a line starting with a dot\n" +
		strings.Repeat("long line ", 30) + "\n"
	var buf bytes.Buffer
	if err := writeMessage(&buf, m, sampleDate); err != nil {
		tb.Fatal(err)
	}
	return buf.String(), m.body, files
}

func TestMessage(t *testing.T) {
	raw, body, files := writeSample(t)

	t.Run("every line ends in CRLF; text and base64 lines are short", func(t *testing.T) {
		headers, body, _ := strings.Cut(raw, "\r\n\r\n")
		for i, line := range strings.Split(headers, "\r\n") {
			if strings.Contains(line, "\n") || len(line) > 998 {
				t.Errorf("header line %d: %q", i+1, line)
			}
		}
		for i, line := range strings.Split(body, "\r\n") {
			if strings.Contains(line, "\n") {
				t.Fatalf("body line %d has a bare LF: %q", i+1, line)
			}
			if len(line) > 76 && !strings.HasPrefix(line, "--") &&
				!strings.HasPrefix(line, "Content-") {
				t.Errorf("body line %d is %d characters: %q", i+1, len(line), line)
			}
		}
	})

	t.Run("headers decode to what was given", func(t *testing.T) {
		wantSampleHeaders(t, raw)
	})

	t.Run("Bcc is in no header", func(t *testing.T) {
		if strings.Contains(raw, "secret@example.com") || strings.Contains(raw, "Bcc") {
			t.Error("the message shows the blind copy recipient")
		}
	})

	t.Run("the text and each attachment come back byte for byte", func(t *testing.T) {
		p := parse(t, raw)
		if want := strings.ReplaceAll(body, "\n", "\r\n"); p.body != want {
			t.Errorf("body: got %q, want %q", p.body, want)
		}
		if len(p.files) != 2 {
			t.Errorf("got attachments %v, want hello.txt and 本月数据.xlsx",
				slices.Sorted(maps.Keys(p.files)))
		}
		for name, content := range files {
			if !bytes.Equal(p.files[name], content) {
				t.Errorf("%s: got %d bytes that differ from the %d sent",
					name, len(p.files[name]), len(content))
			}
		}
	})

	t.Run("a non-ASCII file name is in the RFC 2231 form", func(t *testing.T) {
		if !strings.Contains(raw, "filename*=utf-8''%E6%9C%AC%E6%9C%88") {
			t.Error("no filename*=utf-8'' parameter for 本月数据.xlsx")
		}
	})
}

// wantSampleHeaders checks that the headers of raw, the message
// writeSample wrote, decode to what writeSample gave.
func wantSampleHeaders(tb testing.TB, raw string) {
	tb.Helper()
	p := parse(tb, raw)
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(p.header.Get("Subject"))
	if err != nil || subject != "示例代码实验邮件" {
		tb.Errorf("Subject: got %q, %v", subject, err)
	}
	from, err := p.header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "王大锤" ||
		from[0].Address != "abcdefg@126.com" {
		tb.Errorf("From: got %v, %v", from, err)
	}
	to, err := p.header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "骆昊" {
		tb.Errorf("To: got %v, %v", to, err)
	}
	if cc := p.header.Get("Cc"); cc != "<c@example.com>" {
		tb.Errorf("Cc: got %q", cc)
	}
	if date, err := p.header.Date(); err != nil || !date.Equal(sampleDate) {
		tb.Errorf("Date: got %v, %v; want %v", date, err, sampleDate)
	}
	for _, name := range []string{"Message-Id", "Mime-Version"} {
		if p.header.Get(name) == "" {
			tb.Errorf("no %s header", name)
		}
	}
}

func TestLongSubject(t *testing.T) {
	t.Run("a long subject is folded and decodes whole", func(t *testing.T) {
		long := strings.Repeat("示例代码实验邮件", 30)
		m, err := (&flags{from: "a@example.com", bcc: []string{"b@example.com"},
			subject: long}).message()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := writeMessage(&buf, m, sampleDate); err != nil {
			t.Fatal(err)
		}
		// "Subject: " and one encoded word of at most 75 characters.
		for _, line := range strings.Split(buf.String(), "\r\n") {
			if len(line) > len("Subject: ")+75 {
				t.Errorf("a header line of %d characters: %.40q...", len(line), line)
			}
		}
		p := parse(t, buf.String())
		var dec mime.WordDecoder
		if got, err := dec.DecodeHeader(p.header.Get("Subject")); err != nil || got != long {
			t.Errorf("Subject decodes to %q, %v", got, err)
		}
		if to := p.header.Get("To"); to != "undisclosed-recipients:;" {
			t.Errorf("To with only a Bcc: got %q, want undisclosed-recipients:;", to)
		}
	})
}
func TestAttachmentLines(t *testing.T) {
	// Each 57 bytes of a file are a line of 76 characters of base64: the
	// lines must be the same whatever the file's size, the last one
	// shorter, none empty.
	path := filepath.Join(t.TempDir(), "a.bin")
	for size := 0; size <= 400; size++ {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(i * 7)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var want, msg bytes.Buffer
		text := base64.StdEncoding.EncodeToString(data)
		for s := text; s != ""; s = s[min(len(s), 76):] {
			want.WriteString(s[:min(len(s), 76)] + "\r\n")
		}
		mw := multipart.NewWriter(&msg)
		if err := writeAttachment(mw, path); err != nil {
			t.Fatal(err)
		}
		_ = mw.Close() // into a bytes.Buffer: it cannot fail
		part, err := multipart.NewReader(&msg, mw.Boundary()).NextRawPart()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want.String() {
			t.Fatalf("a file of %d bytes: got %d lines, want %d; first "+
				"difference near %q", size, bytes.Count(got, []byte("\n")),
				strings.Count(want.String(), "\n"), firstDiff(string(got), want.String()))
		}
	}
}

// firstDiff returns a little of got from where it first differs from want.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return got[i:min(len(got), i+20)]
}
