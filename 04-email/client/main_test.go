package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"netprog/internal/loopback"
)

// runClient runs the client against addr with more flags, and returns what it
// printed to stdout and to stderr, and its error.
func runClient(tb testing.TB, addr string, env map[string]string,
	flags ...string) (string, string, error) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"-server", addr, "-timeout", "10s"}, flags...)
	err := run(context.Background(), args, func(k string) string { return env[k] },
		&stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// writeFile writes data to a file named name in a new folder, and
// returns its path.
func writeFile(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

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

func TestMessage(t *testing.T) {
	hello := writeFile(t, "hello.txt", []byte("hello\n"))
	data := make([]byte, 100_000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	xlsx := writeFile(t, "本月数据.xlsx", data)
	m, err := newMessage("王大锤 <abcdefg@126.com>",
		[]string{"骆昊 <uvwxyz@qq.com>, b@example.com"}, []string{"c@example.com"},
		[]string{"secret@example.com"}, "示例代码实验邮件", []string{hello, xlsx})
	if err != nil {
		t.Fatal(err)
	}
	m.body = "请查收附件中的本月数据\n.a line starting with a dot\n" +
		strings.Repeat("long line ", 30) + "\n"
	var buf bytes.Buffer
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if err := writeMessage(&buf, m, now); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()

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
		p := parse(t, raw)
		var dec mime.WordDecoder
		subject, err := dec.DecodeHeader(p.header.Get("Subject"))
		if err != nil || subject != "示例代码实验邮件" {
			t.Errorf("Subject: got %q, %v", subject, err)
		}
		from, err := p.header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != "王大锤" ||
			from[0].Address != "abcdefg@126.com" {
			t.Errorf("From: got %v, %v", from, err)
		}
		to, err := p.header.AddressList("To")
		if err != nil || len(to) != 2 || to[0].Name != "骆昊" {
			t.Errorf("To: got %v, %v", to, err)
		}
		if cc := p.header.Get("Cc"); cc != "<c@example.com>" {
			t.Errorf("Cc: got %q", cc)
		}
		if date, err := p.header.Date(); err != nil || !date.Equal(now) {
			t.Errorf("Date: got %v, %v; want %v", date, err, now)
		}
		for _, name := range []string{"Message-Id", "Mime-Version"} {
			if p.header.Get(name) == "" {
				t.Errorf("no %s header", name)
			}
		}
	})

	t.Run("Bcc is in no header", func(t *testing.T) {
		if strings.Contains(raw, "secret@example.com") || strings.Contains(raw, "Bcc") {
			t.Error("the message shows the blind copy recipient")
		}
	})

	t.Run("the text and each attachment come back byte for byte", func(t *testing.T) {
		p := parse(t, raw)
		if want := strings.ReplaceAll(m.body, "\n", "\r\n"); p.body != want {
			t.Errorf("body: got %q, want %q", p.body, want)
		}
		want := map[string][]byte{"hello.txt": []byte("hello\n"), "本月数据.xlsx": data}
		if len(p.files) != 2 {
			t.Errorf("got attachments %v, want hello.txt and 本月数据.xlsx",
				slices.Sorted(maps.Keys(p.files)))
		}
		for name, content := range want {
			if !bytes.Equal(p.files[name], content) {
				t.Errorf("%s: got %d bytes that differ from the %d sent",
					name, len(p.files[name]), len(content))
			}
		}
	})

	t.Run("a long subject is folded and decodes whole", func(t *testing.T) {
		long := strings.Repeat("示例代码实验邮件", 30)
		m, err := newMessage("a@example.com", nil, nil, []string{"b@example.com"},
			long, nil)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := writeMessage(&buf, m, now); err != nil {
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

	t.Run("a non-ASCII file name is in the RFC 2231 form", func(t *testing.T) {
		if !strings.Contains(raw, "filename*=utf-8''%E6%9C%AC%E6%9C%88") {
			t.Error("no filename*=utf-8'' parameter for 本月数据.xlsx")
		}
	})
}

func TestBadInput(t *testing.T) {
	// A listener that fails the test if anything connects: bad input
	// must be refused before a byte goes on the wire.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if conn, err := ln.Accept(); err == nil {
			_ = conn.Close()
			t.Error("the client connected in spite of bad input")
		}
	}()
	addr := ln.Addr().String()

	usage := []struct {
		name  string
		flags []string
		want  string
	}{
		{"a line break in the subject", []string{"-to", "a@example.com",
			"-subject", "Hi\r\nBcc: everyone@example.com"}, "line break"},
		// An address with a line break is refused by this check and
		// by net/mail alike: the message names the value either way.
		{"a line break in a name", []string{"-to", "Eve\n <a@example.com>"},
			`-to "Eve\n <a@example.com>"`},
		{"a line break in -from", []string{"-to", "a@example.com",
			"-from", "x@example.com\nBcc: y@example.com"},
			`-from "x@example.com\nBcc: y@example.com"`},
		{"a subject over 900 bytes", []string{"-to", "a@example.com",
			"-subject", strings.Repeat("x", 901)}, "too long"},
		{"an address net/mail cannot parse", []string{"-to", "not an address"},
			`-to "not an address"`},
		{"no recipients", []string{"-subject", "hi"}, "no recipients"},
		{"an address that is not ASCII", []string{"-to", "骆昊@例子.中国"},
			"is not ASCII"},
		{"-body and -body-file together", []string{"-to", "a@example.com",
			"-body", "x", "-body-file", "y"}, "not both"},
		{"a bad -tls", []string{"-to", "a@example.com", "-tls", "ssl"}, "-tls must be"},
		{"-user without SMTP_PASSWORD", []string{"-to", "a@example.com",
			"-user", "me"}, "SMTP_PASSWORD"},
	}
	for _, tc := range usage {
		t.Run(tc.name+" is refused as bad usage", func(t *testing.T) {
			_, stderr, err := runClient(t, addr, nil, tc.flags...)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q does not contain %q", stderr, tc.want)
			}
		})
	}

	t.Run("a missing attachment is an error before connecting", func(t *testing.T) {
		_, _, err := runClient(t, addr, nil, "-to", "a@example.com",
			"-attach", filepath.Join(t.TempDir(), "nope.xlsx"))
		if err == nil || !strings.Contains(err.Error(), "-attach") {
			t.Errorf("got %v, want an -attach error", err)
		}
	})

	t.Run("a password is never sent without TLS but to loopback", func(t *testing.T) {
		// Refused before dialling: 192.0.2.1 (a documentation address)
		// is never contacted.
		_, stderr, err := runClient(t, "192.0.2.1:25", map[string]string{"SMTP_PASSWORD": "pw"},
			"-to", "a@example.com", "-user", "me", "-tls", "none")
		if !errors.Is(err, errUsage) || !strings.Contains(stderr, "without TLS") {
			t.Errorf("got %v, %q; want a refusal", err, stderr)
		}
	})
}

func FuzzCheckHeaderValue(f *testing.F) {
	for _, seed := range []string{"Hello", "示例", "a\r\nBcc: x", "tab\there", "\x00",
		"=?utf-8?b?DQo=?="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if checkHeaderValue(v) != nil {
			return
		}
		// An accepted value, put in a header, is one line.
		if strings.ContainsAny(v, "\r\n") {
			t.Errorf("accepted %q, which holds a line break", v)
		}
		m, err := newMessage("a@example.com", []string{"b@example.com"}, nil, nil, v, nil)
		if err != nil {
			return // the subject is fine; nothing else is tested here
		}
		var buf bytes.Buffer
		if err := writeMessage(&buf, m, time.Now()); err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(&buf)
		if err != nil {
			t.Fatalf("subject %q: the message does not parse: %v", v, err)
		}
		if len(msg.Header) != 8 {
			t.Errorf("subject %q: got %d headers, want 8", v, len(msg.Header))
		}
	})
}

// fakeEHLO is an EHLO reply offering what the tests need.
const fakeEHLO = "250-fake.example.com\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN"

func TestSend(t *testing.T) {
	t.Run("the commands are the expected sequence", func(t *testing.T) {
		f := loopback.NewFakeSMTP(t, loopback.SMTPScript{})
		stdout, _, err := runClient(t, f.Addr, nil, "-to", "a@example.com",
			"-cc", "b@example.com", "-bcc", "c@example.com", "-body", "hi")
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"EHLO localhost", "MAIL FROM:<sender@example.com>",
			"RCPT TO:<a@example.com>", "RCPT TO:<b@example.com>",
			"RCPT TO:<c@example.com>", "DATA", "QUIT"}
		if got := f.Commands(); !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
		msgs := f.Messages()
		if len(msgs) != 1 || parse(t, msgs[0]).body != "hi\r\n" {
			t.Errorf("got messages %q, want one saying hi", msgs)
		}
		if want := "sent to 3 recipients"; !strings.Contains(stdout, want) {
			t.Errorf("stdout %q does not contain %q", stdout, want)
		}
	})

	t.Run("logs in with AUTH PLAIN", func(t *testing.T) {
		f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: map[string]string{
			"EHLO": fakeEHLO, "AUTH": "235 welcome"}})
		_, _, err := runClient(t, f.Addr, map[string]string{"SMTP_PASSWORD": "pw"},
			"-to", "a@example.com", "-user", "me")
		if err != nil {
			t.Fatal(err)
		}
		// PLAIN is "\x00me\x00pw" in base64.
		if cmds := f.Commands(); !slices.Contains(cmds, "AUTH PLAIN AG1lAHB3") {
			t.Errorf("got %q, want AUTH PLAIN AG1lAHB3", cmds)
		}
	})

	t.Run("logs in with AUTH LOGIN when that is all there is", func(t *testing.T) {
		f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: map[string]string{
			"EHLO":       "250-fake\r\n250 AUTH LOGIN",
			"AUTH LOGIN": "334 VXNlcm5hbWU6", // "Username:"
			"bWU=":       "334 UGFzc3dvcmQ6", // "me"; "Password:"
			"cHc=":       "235 welcome",      // "pw"
		}})
		_, _, err := runClient(t, f.Addr, map[string]string{"SMTP_PASSWORD": "pw"},
			"-to", "a@example.com", "-user", "me")
		if err != nil {
			t.Fatal(err)
		}
		cmds := f.Commands()
		if !slices.Contains(cmds, "AUTH LOGIN") || !slices.Contains(cmds, "cHc=") {
			t.Errorf("got %q, want AUTH LOGIN with the name and password", cmds)
		}
	})

	t.Run("upgrades with STARTTLS and trusts -ca", func(t *testing.T) {
		cfg, certPEM := loopback.TLSConfig(t)
		f := loopback.NewFakeSMTP(t, loopback.SMTPScript{TLS: cfg,
			Replies: map[string]string{
				"EHLO":     "250-fake\r\n250-STARTTLS\r\n250 AUTH PLAIN",
				"STARTTLS": "220 go ahead",
				"AUTH":     "235 welcome",
			}})
		ca := writeFile(t, "server-cert.pem", certPEM)
		_, _, err := runClient(t, f.Addr, map[string]string{"SMTP_PASSWORD": "pw"},
			"-to", "a@example.com", "-user", "me", "-ca", ca)
		if err != nil {
			t.Fatal(err)
		}
		cmds := f.Commands()
		if len(cmds) < 3 || cmds[1] != "STARTTLS" || cmds[2] != "EHLO localhost" {
			t.Errorf("got %q, want EHLO, STARTTLS, EHLO again", cmds)
		}
	})
}

func TestSendFailures(t *testing.T) {
	tests := []struct {
		name   string
		script loopback.SMTPScript
		flags  []string
		want   string
		sent   bool // whether a message should have been accepted
	}{
		{"a greeting of 554", loopback.SMTPScript{Greeting: "554 go away"},
			nil, "greeting: the server said 554 go away", false},
		{"EHLO and HELO refused", loopback.SMTPScript{Replies: map[string]string{
			"EHLO": "502 no", "HELO": "502 no"}}, nil, "EHLO: the server said 502", false},
		{"STARTTLS refused", loopback.SMTPScript{Replies: map[string]string{
			"EHLO": "250-fake\r\n250 STARTTLS", "STARTTLS": "454 TLS not available"}},
			nil, "STARTTLS: the server said 454", false},
		{"a wrong password (535) hints at app passwords",
			loopback.SMTPScript{Replies: map[string]string{
				"EHLO": fakeEHLO, "AUTH": "535 authentication failed"}},
			[]string{"-user", "me"}, "app password or authorization code", false},
		{"MAIL refused with 530 hints at STARTTLS or a login",
			loopback.SMTPScript{Replies: map[string]string{
				"MAIL": "530 authentication required"}},
			nil, "the server wants STARTTLS or a login", false},
		{"every recipient refused: nothing sent",
			loopback.SMTPScript{Replies: map[string]string{"RCPT": "550 no such user"}},
			nil, "every recipient was refused (a@example.com, b@example.com)", false},
		{"DATA refused (554)", loopback.SMTPScript{Replies: map[string]string{
			"DATA": "554 no thanks"}}, nil, "DATA: the server said 554", false},
		{"the message refused at its end (552)",
			loopback.SMTPScript{Replies: map[string]string{".": "552 too big"}},
			nil, "end of DATA: the server said 552", true},
		{"the connection dropped in the middle of the data",
			loopback.SMTPScript{DropInData: true}, nil, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := loopback.NewFakeSMTP(t, tc.script)
			flags := append([]string{"-to", "a@example.com, b@example.com",
				"-body", "hi"}, tc.flags...)
			stdout, _, err := runClient(t, f.Addr, map[string]string{"SMTP_PASSWORD": "pw"},
				flags...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
			if stdout != "" {
				t.Errorf("printed %q, want nothing", stdout)
			}
			if got := len(f.Messages()) > 0; got != tc.sent {
				t.Errorf("the server got a message: %v, want %v", got, tc.sent)
			}
		})
	}

	t.Run("one refused recipient is named, the others get it", func(t *testing.T) {
		f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: map[string]string{
			"RCPT TO:<b@example.com>": "550 no such user"}})
		stdout, stderr, err := runClient(t, f.Addr, nil,
			"-to", "a@example.com, b@example.com", "-body", "hi")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr, "refused b@example.com: the server said 550 no such user") {
			t.Errorf("stderr %q does not name b@example.com", stderr)
		}
		if !strings.Contains(stdout, "sent to 1 recipient ") || len(f.Messages()) != 1 {
			t.Errorf("got %q and %d messages, want one sent", stdout, len(f.Messages()))
		}
	})

	t.Run("a refused connection asks whether the server runs", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		_, _, err = runClient(t, addr, nil, "-to", "a@example.com")
		if err == nil || !strings.Contains(err.Error(), "is the server running?") {
			t.Errorf("got %v, want the hint to start the server", err)
		}
	})
}

func TestNetworkTextIsQuoted(t *testing.T) {
	// A server's text must not drive the terminal: an escape sequence in
	// a reply could clear the screen and print a fake success.
	cfg, certPEM := certFor(t, "\x1b[2Jevil.example")
	ca := writeFile(t, "evil.pem", certPEM)
	escapes := []struct {
		name   string
		script loopback.SMTPScript
		want   string
	}{
		{"a reply", loopback.SMTPScript{Replies: map[string]string{
			"MAIL": "550 \x1b[2J\x1b[32msent OK"}},
			`MAIL FROM: the server said 550 "\x1b[2J\x1b[32msent OK"`},
		{"a reply that makes no sense", loopback.SMTPScript{
			Greeting: "\x1b[2Jhello"}, `greeting: "short response: \"\\x1b[2Jhello`},
		{"the names in a certificate", loopback.SMTPScript{TLS: cfg,
			Replies: map[string]string{"EHLO": "250-fake\r\n250 STARTTLS",
				"STARTTLS": "220 go ahead"}},
			`STARTTLS: "tls: failed to verify certificate: x509: certificate ` +
				`is valid for \x1b[2Jevil.example, not localhost"`},
	}
	for _, tc := range escapes {
		t.Run("an escape sequence in "+tc.name+" is quoted", func(t *testing.T) {
			f := loopback.NewFakeSMTP(t, tc.script)
			// By name, so that the client checks the names in the
			// certificate.
			_, port, _ := net.SplitHostPort(f.Addr)
			_, stderr, err := runClient(t, "localhost:"+port, nil,
				"-to", "a@example.com", "-ca", ca)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want an error containing %q", err, tc.want)
			}
			if strings.Contains(fmt.Sprint(err)+stderr, "\x1b") {
				t.Errorf("got %q and stderr %q, want no escape character",
					err, stderr)
			}
		})
	}

	t.Run("a refused recipient's reply is quoted", func(t *testing.T) {
		f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: map[string]string{
			"RCPT TO:<b@example.com>": "550 \x1b[2Jno"}})
		_, stderr, err := runClient(t, f.Addr, nil, "-to", "a@example.com, b@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if want := `refused b@example.com: the server said 550 "\x1b[2Jno"`; !strings.Contains(stderr, want) {
			t.Errorf("got stderr %q, want %q in it", stderr, want)
		}
	})
}

func TestDryRun(t *testing.T) {
	// No -server is reachable: a dry run must not try.
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"-server", "127.0.0.1:1", "-dry-run",
		"-to", "a@example.com", "-subject", "Hi", "-body", "hello"},
		func(string) string { return "" }, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, stdout.String())
	if p.body != "hello\r\n" || p.header.Get("To") != "<a@example.com>" {
		t.Errorf("got %q to %q, want hello to a@example.com", p.body, p.header.Get("To"))
	}
}

// BenchmarkSend sends a 50 MiB attachment to a server that takes it:
// the bytes allocated (-benchmem) stay small, since the file is read and
// encoded as it is sent.
func BenchmarkSend(b *testing.B) {
	path := writeFile(b, "big.bin", make([]byte, 50<<20))
	f := loopback.NewFakeSMTP(b, loopback.SMTPScript{DiscardData: true})
	addr := f.Addr
	args := []string{"-server", addr, "-to", "a@example.com", "-attach", path}
	b.SetBytes(50 << 20)
	b.ReportAllocs()
	for b.Loop() {
		if err := run(context.Background(), args, func(string) string { return "" },
			io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// certFor returns a TLS configuration with a self-signed certificate for
// the host name name only, and the certificate in PEM form.
func certFor(tb testing.TB, name string) (*tls.Config, []byte) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		DNSNames:     []string{name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return &tls.Config{Certificates: []tls.Certificate{cert}},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
