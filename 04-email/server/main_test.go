package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode"

	"netprog/internal/loopback"
)

// startServer runs the server on a free loopback port, saving into a new folder,
// and returns it and the folder.
func startServer(tb testing.TB, env map[string]string,
	args ...string) (*loopback.Program, string) {
	tb.Helper()
	out := filepath.Join(tb.TempDir(), "mailbox")
	args = append([]string{"-addr", "127.0.0.1:0", "-out", out}, args...)
	return loopback.Start(tb, run, args, env), out
}

// password is the SMTP_PASSWORD of the tests that run with -user alice.
var password = map[string]string{"SMTP_PASSWORD": "secret"}

// messages returns the names of the .eml files in dir.
func messages(tb testing.TB, dir string) []string {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".eml" {
			names = append(names, e.Name())
		}
	}
	return names
}

// onlyMessage returns the name and content of the one message in dir.
func onlyMessage(tb testing.TB, dir string) (string, []byte) {
	tb.Helper()
	names := messages(tb, dir)
	if len(names) != 1 {
		tb.Fatalf("got %d messages in %s, want 1", len(names), dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, names[0]))
	if err != nil {
		tb.Fatal(err)
	}
	return names[0], data
}

// checkSaved checks that saved is body after the two trace headers, and
// that these say the message came from sender over protocol with.
func checkSaved(tb testing.TB, saved []byte, sender, with string, body []byte) {
	tb.Helper()
	returnPath, rest, _ := bytes.Cut(saved, []byte("\r\n"))
	received, rest, _ := bytes.Cut(rest, []byte("\r\n"))
	if want := "Return-Path: <" + sender + ">"; string(returnPath) != want {
		tb.Errorf("got first line %q, want %q", returnPath, want)
	}
	want := "by netprog-sink with " + with + "; "
	_, date, ok := strings.Cut(string(received), want)
	if !strings.HasPrefix(string(received), "Received: from ") || !ok {
		tb.Errorf("got second line %q, want a Received header %q", received, want)
	} else if _, err := mail.ParseDate(date); err != nil {
		tb.Errorf("Received header's date %q: %v", date, err)
	}
	if !bytes.Equal(rest, body) {
		tb.Errorf("saved message differs from the one sent:\n"+
			"got  %q\nwant %q", rest, body)
	}
}

// tlsConfig returns a client configuration that trusts the certificate
// the server saved in dir, and nothing else.
func tlsConfig(tb testing.TB, dir, serverName string) *tls.Config {
	tb.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, certFile))
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		tb.Fatalf("%s holds no certificate", certFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: serverName}
}

// client is a raw SMTP client: it sends lines as they are and returns the
// server's replies as they came.
type client struct {
	tb   testing.TB
	conn net.Conn
	r    *bufio.Reader
}

// dial connects to addr and reads the greeting.
func dial(tb testing.TB, addr string) *client {
	tb.Helper()
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	return greet(tb, conn, 10*time.Second)
}

// greet reads the greeting on conn, and sets a deadline of within on the
// rest of the conversation. The test closes conn when it ends.
func greet(tb testing.TB, conn net.Conn, within time.Duration) *client {
	tb.Helper()
	tb.Cleanup(func() { _ = conn.Close() }) // may be closed already
	if err := conn.SetDeadline(time.Now().Add(within)); err != nil {
		tb.Fatal(err)
	}
	c := &client{tb: tb, conn: conn, r: bufio.NewReader(conn)}
	if got := c.readReply(); !strings.HasPrefix(got, "220 ") {
		tb.Fatalf("greeting: got %q, want 220", got)
	}
	return c
}

// write sends s as it is: one command, several, or message text.
func (c *client) write(s string) {
	c.tb.Helper()
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.tb.Fatal(err)
	}
}

// readReply reads one reply, every line of it.
func (c *client) readReply() string {
	c.tb.Helper()
	var b strings.Builder
	for {
		line, err := c.r.ReadString('\n')
		b.WriteString(line)
		if err != nil {
			c.tb.Fatalf("read a reply: %v (got %q)", err, b.String())
		}
		if len(line) < 4 || line[3] != '-' {
			return b.String()
		}
	}
}

// send sends one command line and returns the reply.
func (c *client) send(line string) string {
	c.tb.Helper()
	c.write(line + "\r\n")
	return c.readReply()
}

// step is one exchange: a line to send, and how the reply must begin.
type step struct{ send, want string }

// play sends each step's line and checks the reply. After a STARTTLS that
// got 220, it starts TLS, trusting the certificate in dir.
func (c *client) play(dir string, steps ...step) {
	c.tb.Helper()
	for _, st := range steps {
		got := c.send(st.send)
		if !strings.HasPrefix(got, st.want) {
			c.tb.Fatalf("sent %.60q: got %q, want %q...", st.send, got, st.want)
		}
		if st.send == "STARTTLS" && strings.HasPrefix(got, "220") {
			conn := tls.Client(c.conn, tlsConfig(c.tb, dir, "127.0.0.1"))
			if err := conn.Handshake(); err != nil {
				c.tb.Fatal(err)
			}
			c.conn, c.r = conn, bufio.NewReader(conn)
		}
	}
}

// expectEOF checks that the server has closed the connection.
func (c *client) expectEOF() {
	c.tb.Helper()
	if line, err := c.r.ReadString('\n'); err == nil {
		c.tb.Errorf("got %q, want the connection closed", line)
	}
}

// b64 is what AUTH answers look like.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// envelope is the MAIL, RCPT and DATA of one message.
var envelope = []step{
	{"EHLO test", "250-"},
	{"MAIL FROM:<a@example.com>", "250 "},
	{"RCPT TO:<b@example.com>", "250 "},
	{"DATA", "354 "},
}

func TestConversations(t *testing.T) {
	goodPlain := "AUTH PLAIN " + b64("\x00alice\x00secret")
	tests := []struct {
		name  string
		args  []string
		steps []step
	}{
		{"NOOP, VRFY, RSET and QUIT are answered", nil, []step{
			{"EHLO test", "250-"},
			{"NOOP", "250 "},
			{"VRFY b@example.com", "252 "},
			{"HELP", "214 "},
			{"MAIL FROM:<a@example.com>", "250 "},
			{"RSET", "250 "},
			{"RCPT TO:<b@example.com>", "503 "}, // RSET forgot MAIL
			{"HELO test", "250 "},
			{"QUIT", "221 "},
		}},
		{"an unknown command gets 500 and the session goes on", nil, []step{
			{"HELLO test", "500 "},
			{"EHLO test", "250-"},
		}},
		{"commands out of order get 503", nil, []step{
			{"MAIL FROM:<a@example.com>", "503 "}, // before EHLO
			{"EHLO test", "250-"},
			{"RCPT TO:<b@example.com>", "503 "},
			{"DATA", "503 "},
			{"MAIL FROM:<a@example.com>", "250 "},
			{"DATA", "503 "}, // no RCPT yet
			{"MAIL FROM:<a@example.com>", "503 "},
		}},
		{"bad syntax and bad addresses get 501", nil, []step{
			{"EHLO", "501 "},
			{"EHLO test", "250-"},
			{"MAIL FROM:a@example.com", "501 "},
			{"MAIL TO:<a@example.com>", "501 "},
			{"MAIL FROM:<not an address>", "501 "},
			{"MAIL FROM:<Bob a@example.com>", "501 "},
			{"MAIL FROM:<a@example.com> SIZE=many", "501 "},
			{"MAIL FROM:<a@example.com>\rBcc: c@example.com", "501 "},
			{"MAIL FROM:<>", "250 "}, // a bounce has no sender
			{"RCPT TO:<>", "501 "},
			{"RCPT TO:<骆昊@例子.中国>", "501 "}, // needs SMTPUTF8
			{"RCPT TO:<b@example.com>", "250 "},
			{"DATA now", "501 "},
		}},
		{"a line over 1000 bytes gets 500 and the session goes on", nil, []step{
			{"NOOP " + strings.Repeat("x", 994), "500 "}, // 1001 with CRLF
			{"NOOP " + strings.Repeat("x", 993), "250 "},
			{"NOOP " + strings.Repeat("x", 100_000), "500 "},
			{"EHLO test", "250-"},
		}},
		{"SIZE= over -max-size gets 552", []string{"-max-size", "1000"}, []step{
			{"EHLO test", "250-"},
			{"MAIL FROM:<a@example.com> SIZE=1001", "552 "},
			{"MAIL FROM:<a@example.com> size=1000 BODY=8BITMIME", "250 "},
		}},
		{"more recipients than -max-rcpt get 452",
			[]string{"-max-rcpt", "2"}, []step{
				{"EHLO test", "250-"},
				{"MAIL FROM:<a@example.com>", "250 "},
				{"RCPT TO:<b@example.com>", "250 "},
				{"RCPT TO:<c@example.com>", "250 "},
				{"RCPT TO:<d@example.com>", "452 "},
			}},
		{"without -tls and -user, STARTTLS and AUTH are not offered", nil, []step{
			{"EHLO test", "250-"},
			{"STARTTLS", "502 "},
			{"AUTH PLAIN " + b64("\x00alice\x00secret"), "502 "},
		}},
		{"with -user, MAIL needs AUTH and AUTH PLAIN checks the password",
			[]string{"-user", "alice"}, []step{
				{"EHLO test", "250-"},
				{"MAIL FROM:<a@example.com>", "530 "},
				{"AUTH PLAIN " + b64("\x00alice\x00wrong"), "535 "},
				{"AUTH PLAIN " + b64("bob\x00alice\x00secret"), "535 "},
				{goodPlain, "235 "},
				{goodPlain, "503 "}, // AUTH twice
				{"MAIL FROM:<a@example.com>", "250 "},
			}},
		{"AUTH PLAIN refuses a wrong user name", []string{"-user", "alice"}, []step{
			{"EHLO test", "250-"},
			{"AUTH PLAIN " + b64("\x00bob\x00secret"), "535 "},
			{goodPlain, "235 "},
		}},
		{"AUTH PLAIN may send the credentials after a 334 prompt",
			[]string{"-user", "alice"}, []step{
				{"EHLO test", "250-"},
				{"AUTH PLAIN", "334 "},
				{b64("\x00alice\x00secret"), "235 "},
			}},
		{"AUTH LOGIN asks for the user name and the password",
			[]string{"-user", "alice"}, []step{
				{"EHLO test", "250-"},
				{"AUTH LOGIN", "334 VXNlcm5hbWU6"},
				{b64("alice"), "334 UGFzc3dvcmQ6"},
				{b64("wrong"), "535 "},
				{"AUTH LOGIN " + b64("alice"), "334 UGFzc3dvcmQ6"},
				{b64("secret"), "235 "},
			}},
		{"a star cancels AUTH and bad base64 is refused, with 501",
			[]string{"-user", "alice"}, []step{
				{"EHLO test", "250-"},
				{"AUTH PLAIN", "334 "},
				{"*", "501 "},
				{"AUTH LOGIN", "334 "},
				{"*", "501 "},
				{"AUTH PLAIN not-base64!", "501 "},
				{"AUTH PLAIN " + b64("no NULs"), "501 "},
				{"AUTH CRAM-MD5", "504 "},
				{goodPlain, "235 "},
			}},
		// RFC 3207: a server that wants TLS first answers 530 to the
		// commands that need it.
		{"with -tls and -user, AUTH and MAIL get 530 before STARTTLS",
			[]string{"-tls", "-user", "alice"}, []step{
				{"EHLO test", "250-"},
				{goodPlain, "530 "},
				{"MAIL FROM:<a@example.com>", "530 "},
				{"STARTTLS", "220 "},
				{"MAIL FROM:<a@example.com>", "503 "}, // EHLO again first
				{"EHLO test", "250-"},
				{"STARTTLS", "503 "},
				{"MAIL FROM:<a@example.com>", "530 "},
				{goodPlain, "235 "},
				{"MAIL FROM:<a@example.com>", "250 "},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// In a bubble: a failed AUTH takes two seconds.
			synctest.Test(t, func(t *testing.T) {
				s := startSink(t, tt.args...)
				s.dial(t).play(s.dir, tt.steps...)
			})
		})
	}
}

func TestSTARTTLSDropsWhatCameBeforeTheHandshake(t *testing.T) {
	// A command sent in the same packet as STARTTLS came in plain text:
	// anyone on the way could have put it there. It must not be run
	// inside the TLS session.
	p, out := startServer(t, nil, "-tls")
	c := dial(t, p.Addr)
	c.play(out, step{"EHLO test", "250-"})
	c.write("STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n")
	if got := c.readReply(); !strings.HasPrefix(got, "220") {
		t.Fatalf("got %q, want 220", got)
	}
	conn := tls.Client(c.conn, tlsConfig(t, out, "127.0.0.1"))
	if err := conn.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.conn, c.r = conn, bufio.NewReader(conn)
	c.play(out, step{"EHLO test", "250-"},
		step{"RCPT TO:<b@example.com>", "503 "}) // no MAIL was taken
}

func TestEHLOListsExtensions(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		starttls  bool
		want, not []string
	}{
		{"without flags, the basics", nil, false,
			[]string{"PIPELINING", "SIZE 26214400", "8BITMIME"},
			[]string{"STARTTLS", "AUTH PLAIN LOGIN"}},
		{"-max-size is advertised as SIZE", []string{"-max-size", "1000"}, false,
			[]string{"SIZE 1000"}, nil},
		{"-max-size 20MiB is advertised in bytes", []string{"-max-size", "20MiB"},
			false, []string{"SIZE 20971520"}, nil},
		{"-user adds AUTH", []string{"-user", "alice"}, false,
			[]string{"AUTH PLAIN LOGIN"}, []string{"STARTTLS"}},
		{"-tls adds STARTTLS", []string{"-tls"}, false,
			[]string{"STARTTLS"}, []string{"AUTH PLAIN LOGIN"}},
		{"-tls with -user offers STARTTLS but not yet AUTH",
			[]string{"-tls", "-user", "alice"}, false,
			[]string{"STARTTLS"}, []string{"AUTH PLAIN LOGIN"}},
		{"after STARTTLS, AUTH is offered and STARTTLS is not",
			[]string{"-tls", "-user", "alice"}, true,
			[]string{"AUTH PLAIN LOGIN"}, []string{"STARTTLS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out := startServer(t, password, tt.args...)
			c := dial(t, p.Addr)
			if tt.starttls {
				c.play(out, step{"EHLO test", "250-"}, step{"STARTTLS", "220 "})
			}
			reply := c.send("EHLO test")
			has := map[string]bool{}
			for line := range strings.Lines(reply) {
				has[strings.TrimSpace(line[4:])] = true
			}
			for _, ext := range tt.want {
				if !has[ext] {
					t.Errorf("got %q, want %s in it", reply, ext)
				}
			}
			for _, ext := range tt.not {
				if has[ext] {
					t.Errorf("got %q, want no %s in it", reply, ext)
				}
			}
		})
	}
}

func TestPipelinedCommandsAreAllAnswered(t *testing.T) {
	p, out := startServer(t, nil)
	c := dial(t, p.Addr)
	c.write("EHLO test\r\nMAIL FROM:<a@example.com>\r\n" +
		"RCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n")
	for _, want := range []string{"250-", "250 ", "250 ", "250 ", "354 "} {
		if got := c.readReply(); !strings.HasPrefix(got, want) {
			t.Fatalf("got %q, want %q...", got, want)
		}
	}
	body := "Subject: pipelined\r\n\r\nhello\r\n"
	c.write(body + ".\r\nNOOP\r\nQUIT\r\n")
	for _, want := range []string{"250 ", "250 ", "221 "} {
		if got := c.readReply(); !strings.HasPrefix(got, want) {
			t.Fatalf("got %q, want %q...", got, want)
		}
	}
	_, saved := onlyMessage(t, out)
	checkSaved(t, saved, "a@example.com", "ESMTP", []byte(body))
}

func TestMessageText(t *testing.T) {
	long := strings.Repeat("x", 10_000) // longer than any buffer
	max100 := []string{"-max-size", "100"}
	head := "Subject: x\r\n\r\n"
	y4095 := strings.Repeat("Y", 4095)
	tests := []struct {
		name string
		args []string
		send string // the text after DATA, up to the final dot
		want string // what is saved after the trace headers; "" for nothing
		code string // the reply to the final dot
	}{
		{"lines that begin with a dot lose the dot the client added", nil,
			"Subject: dots\r\n\r\n..\r\n...two\r\n..hidden\r\n.\r\n",
			"Subject: dots\r\n\r\n.\r\n..two\r\n.hidden\r\n", "250 "},
		{"lines that end with a bare LF are saved with CRLF", nil,
			"Subject: lf\n\n..one\nbody\r\n.\r\n",
			"Subject: lf\r\n\r\n.one\r\nbody\r\n", "250 "},
		{"a dot after a bare LF is no end: nothing can be smuggled", nil,
			"Subject: s\r\n\r\nbody\n.\r\nMAIL FROM:<evil@example.com>\r\n.\r\n",
			"Subject: s\r\n\r\nbody\r\n\r\nMAIL FROM:<evil@example.com>\r\n", "250 "},
		// The reader's buffer holds 4096 bytes: the CRLF of a line of
		// 4095 comes in two reads.
		{"a line of 4095 bytes is saved as sent, and the dot after it ends the message",
			nil, head + y4095 + "\r\n.\r\n", head + y4095 + "\r\n", "250 "},
		{"so is one that starts with a dot, 4095 bytes once dot-stuffed", nil,
			head + ".." + y4095[2:] + "\r\n.\r\n", head + "." + y4095[2:] + "\r\n", "250 "},
		{"a line longer than 1000 bytes is kept whole", nil,
			"Subject: long\r\n\r\n" + long + "\r\n." + long + "\r\n.\r\n",
			"Subject: long\r\n\r\n" + long + "\r\n" + long + "\r\n", "250 "},
		{"a message of exactly -max-size bytes is saved", max100,
			head + strings.Repeat("y", 84) + "\r\n.\r\n",
			head + strings.Repeat("y", 84) + "\r\n", "250 "},
		{"a message over -max-size gets 552 and is not saved", max100,
			head + strings.Repeat("y", 85) + "\r\n.\r\n", "", "552 "},
		{"a much larger message gets 552 too", max100,
			head + strings.Repeat(long+"\r\n", 100) + ".\r\n", "", "552 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out := startServer(t, nil, tt.args...)
			c := dial(t, p.Addr)
			c.play(out, envelope...)
			c.write(tt.send)
			if got := c.readReply(); !strings.HasPrefix(got, tt.code) {
				t.Fatalf("got %q, want %q...", got, tt.code)
			}
			// The session goes on, ready for the next message.
			c.play(out, step{"MAIL FROM:<a@example.com>", "250 "})
			if tt.want == "" {
				entries, err := os.ReadDir(out)
				if err != nil || len(entries) != 0 {
					t.Errorf("got %v in %s (%v), want nothing saved",
						entries, out, err)
				}
				return
			}
			_, saved := onlyMessage(t, out)
			checkSaved(t, saved, "a@example.com", "ESMTP", []byte(tt.want))
		})
	}
}

// randomBytes returns n bytes that do not compress, the same for a seed.
func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed)})
	_, _ = r.Read(b) // ChaCha8.Read never fails
	return b
}

// sample makes a message like the tutorial's: a Chinese subject, a text
// with lines that begin with dots, and two attachments in base64, one with
// a Chinese name (RFC 2231).
func sample() []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\nTo: b@example.com, c@example.com\r\n" +
		"Subject: " + mime.BEncoding.Encode("utf-8", "示例代码实验邮件") + "\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=NEXT\r\n\r\n" +
		"--NEXT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Lines that begin with a dot:\r\n.\r\n..\r\n.hidden\r\n")
	attach := func(disposition string, data []byte) {
		b.WriteString("--NEXT\r\nContent-Type: application/octet-stream\r\n" +
			"Content-Transfer-Encoding: base64\r\n" +
			"Content-Disposition: " + disposition + "\r\n\r\n")
		s := base64.StdEncoding.EncodeToString(data)
		for len(s) > 76 {
			b.WriteString(s[:76] + "\r\n")
			s = s[76:]
		}
		b.WriteString(s + "\r\n")
	}
	attach(`attachment; filename="hello.txt"`, []byte("hello world\n"))
	attach("attachment; filename*=utf-8''"+url.PathEscape("本月数据.xlsx"),
		randomBytes(5222, 1)) // 5.1 KB
	b.WriteString("--NEXT--\r\n")
	return b.Bytes()
}

// sendOne sends msg from a@example.com to b@ and c@example.com over c.
func sendOne(c *smtp.Client, msg []byte) error {
	if err := c.Mail("a@example.com"); err != nil {
		return err
	}
	for _, to := range []string{"b@example.com", "c@example.com"} {
		if err := c.Rcpt(to); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	return w.Close() // sends the final dot and reads the reply
}

// dialSMTP connects a net/smtp client to addr, with a deadline on all it
// does, and starts TLS if config is not nil.
func dialSMTP(addr string, config *tls.Config) (*smtp.Client, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if err := conn.SetDeadline(time.Now().Add(time.Minute)); err != nil {
		_ = conn.Close() // giving up on it
		return nil, err
	}
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err == nil && config != nil {
		err = c.StartTLS(config)
	}
	if err != nil {
		_ = conn.Close() // giving up on it
		return nil, err
	}
	return c, nil
}

func TestNetSMTPClients(t *testing.T) {
	msg := sample()
	tests := []struct {
		name      string
		args      []string
		starttls  bool
		auth      bool
		protocol  string
		tlsServer string // the name the client checks in the certificate
	}{
		{"smtp.SendMail's message is saved as sent", nil, false, false, "ESMTP", ""},
		{"a client that logs in with AUTH PLAIN is served",
			[]string{"-user", "alice"}, false, true, "ESMTPA", ""},
		{"a client that uses STARTTLS is served",
			[]string{"-tls"}, true, false, "ESMTPS", "localhost"},
		{"a client that uses STARTTLS and AUTH is served",
			[]string{"-tls", "-user", "alice"}, true, true, "ESMTPSA", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out := startServer(t, password, tt.args...)
			var auth smtp.Auth
			if tt.auth {
				auth = smtp.PlainAuth("", "alice", "secret", "127.0.0.1")
			}
			to := []string{"b@example.com", "c@example.com"}
			if !tt.starttls {
				// SendMail does it all: EHLO, AUTH, MAIL, RCPT,
				// DATA, QUIT.
				err := smtp.SendMail(p.Addr, auth, "a@example.com", to, msg)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				c, err := dialSMTP(p.Addr, tlsConfig(t, out, tt.tlsServer))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if auth != nil {
					if err := c.Auth(auth); err != nil {
						t.Fatal(err)
					}
				}
				if err := sendOne(c, msg); err != nil {
					t.Fatal(err)
				}
				if err := c.Quit(); err != nil {
					t.Fatal(err)
				}
			}

			name, saved := onlyMessage(t, out)
			checkSaved(t, saved, "a@example.com", tt.protocol, msg)
			// The server prints the line before it reads QUIT, so
			// it is there once QUIT has its reply.
			want := `from a@example.com to b@example.com, c@example.com; ` +
				`subject 示例代码实验邮件; attachments hello.txt 12 B, ` +
				`本月数据.xlsx 5.1 KB; saved ` + filepath.Join(out, name) + "\n"
			if got := p.Stdout(); got != want {
				t.Errorf("got stdout %q, want %q", got, want)
			}
		})
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct{ name, msg, want string }{
		{"a plain subject is shown as it is", "Subject: Hello\r\n\r\nhi\r\n",
			"subject Hello"},
		{"a subject with a quote mark is quoted", "Subject: \"Hi\"\r\n\r\n",
			`subject "\"Hi\""`},
		{"a subject with a terminal escape is quoted",
			"Subject: =?utf-8?q?=1B[2Jgreen?=\r\n\r\n", `subject "\x1b[2Jgreen"`},
		{"no subject is said", "From: a@example.com\r\n\r\nhi\r\n", "no subject"},
		{"an encoded subject is decoded",
			"Subject: =?utf-8?b?56S65L6L5Luj56CB5a6e6aqM6YKu5Lu2?=\r\n\r\nhi\r\n",
			"subject 示例代码实验邮件"},
		{"a subject in an unknown charset stays encoded",
			"Subject: =?x-unknown?q?abc?=\r\n\r\n", "subject =?x-unknown?q?abc?="},
		{"the tutorial's attachment header, encoded whole by Python, is understood",
			"Subject: s\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
				"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
				"--b\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: " +
				"=?utf-8?b?YXR0YWNobWVudDsgZmlsZW5hbWU95pys5pyI5pWw5o2uLnhsc3g=?=\r\n\r\n" +
				"AAFiaW5hcnk=\r\n--b--\r\n",
			"subject s; attachments 本月数据.xlsx 8 B"},
		{"attachments in nested parts are found, quoted-printable decoded",
			"Subject: nested\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n" +
				"--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n" +
				"--inner\r\nContent-Type: text/plain\r\n\r\nhi\r\n" +
				"--inner\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--inner--\r\n" +
				"--outer\r\nContent-Transfer-Encoding: quoted-printable\r\n" +
				"Content-Disposition: attachment; filename=\"=?utf-8?q?caf=C3=A9.txt?=\"\r\n\r\n" +
				"caf=C3=A9=\r\n\r\n--outer--\r\n",
			"subject nested; attachments café.txt 5 B"},
		{"an inline part is not an attachment",
			"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Disposition: inline; filename=a.png\r\n\r\nxx\r\n--b--\r\n",
			"subject x"},
		{"a name with control characters is escaped",
			"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Disposition: attachment; filename*=utf-8''a%1B%5B2J.txt\r\n\r\n" +
				"abc\r\n--b--\r\n",
			`subject x; attachments "a\x1b[2J.txt" 3 B`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(strings.NewReader(tt.msg)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	broken := []struct{ name, msg string }{
		{"a header line without a colon", "Subject x\r\n\r\nhi\r\n"},
		{"a multipart body without a boundary",
			"Subject: x\r\nContent-Type: multipart/mixed\r\n\r\n--\r\n\r\nhi\r\n"},
		{"an attachment cut off in the middle",
			"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Transfer-Encoding: base64\r\n" +
				"Content-Disposition: attachment; filename=a\r\n\r\nAAFia"},
		{"an attachment that is not base64",
			"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Transfer-Encoding: base64\r\n" +
				"Content-Disposition: attachment; filename=a\r\n\r\n!!!!\r\n--b--\r\n"},
		{"a message with parts nested too deeply", nested(maxDepth + 2)},
	}
	for _, tt := range broken {
		t.Run(tt.name+" is not parseable", func(t *testing.T) {
			got := describe(strings.NewReader(tt.msg))
			if !strings.Contains(got, "not parseable: ") {
				t.Errorf("got %q, want not parseable: ...", got)
			}
		})
	}
}

// nested makes a message of n multipart bodies, each in the one before.
func nested(n int) string {
	var b strings.Builder
	b.WriteString("Subject: x\r\n")
	for i := range n {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n"+
			"\r\n--b%d\r\n", i, i)
	}
	return b.String()
}

func TestUnparseableMessageIsStillSaved(t *testing.T) {
	p, out := startServer(t, nil)
	c := dial(t, p.Addr)
	c.play(out, envelope...)
	body := "no header here, only text\r\n"
	c.write(body + ".\r\n")
	if got := c.readReply(); !strings.HasPrefix(got, "250 ") {
		t.Fatalf("got %q, want 250: saved all the same", got)
	}
	c.play(out, step{"QUIT", "221 "})
	name, saved := onlyMessage(t, out)
	checkSaved(t, saved, "a@example.com", "ESMTP", []byte(body))
	want := "from a@example.com to b@example.com; not parseable: "
	got := p.Stdout()
	if !strings.HasPrefix(got, want) || !strings.Contains(got, name) {
		t.Errorf("got stdout %q, want %q... %s", got, want, name)
	}
}

func TestTwentyClientsAtOnce(t *testing.T) {
	const clients, each = 20, 10
	p, out := startServer(t, nil)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			c, err := dialSMTP(p.Addr, nil)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			for j := range each {
				msg := fmt.Sprintf("Subject: message %d.%d\r\n\r\nhello\r\n", i, j)
				if err := sendOne(c, []byte(msg)); err != nil {
					t.Errorf("client %d, message %d: %v", i, j, err)
					return
				}
			}
			if err := c.Quit(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	names := messages(t, out)
	if len(names) != clients*each {
		t.Fatalf("got %d messages, want %d", len(names), clients*each)
	}
	subjects := map[string]bool{}
	for _, name := range names {
		f, err := os.Open(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else {
			subjects[msg.Header.Get("Subject")] = true
		}
		_ = f.Close() // only read from
	}
	if len(subjects) != clients*each {
		t.Errorf("got %d different subjects, want %d", len(subjects), clients*each)
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, line := range []string{
		"EHLO client.example",
		"mail FROM:<a@example.com> SIZE=123",
		"MAIL FROM: <a@example.com> BODY=8BITMIME",
		"MAIL FROM:<>",
		"RCPT TO:<b@example.com>",
		`RCPT TO:<"b c"@example.com>`,
		"RCPT TO:<a@b.example> SIZE=-1",
		"MAIL FROM:<a@example.com>\rBcc: c@example.com",
		"AUTH PLAIN AGFsaWNlAHNlY3JldA==",
		"",
	} {
		f.Add(line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		verb, arg, err := parseCommand(line)
		if err != nil {
			return
		}
		if strings.ContainsFunc(verb+arg, unicode.IsControl) {
			t.Errorf("parseCommand(%q) let a control character through", line)
		}
		if strings.Contains(verb, " ") || arg != strings.TrimSpace(arg) {
			t.Errorf("parseCommand(%q) = %q, %q: spaces left in", line, verb, arg)
		}
		for _, keyword := range []string{"FROM", "TO"} {
			addr, size, err := parsePath(arg, keyword)
			if err != nil {
				continue
			}
			if size < 0 {
				t.Errorf("parsePath(%q) gave size %d", arg, size)
			}
			if strings.ContainsAny(addr, "<>") {
				t.Errorf("parsePath(%q) gave address %q", arg, addr)
			}
			// What goes into Return-Path parses back the same.
			again, _, err := parsePath(keyword+":<"+addr+">", keyword)
			if err != nil || again != addr {
				t.Errorf("parsePath(%q) gave %q, which parses back as %q, %v",
					arg, addr, again, err)
			}
		}
	})
}

func BenchmarkServer(b *testing.B) {
	const size = 100 << 10
	p, _ := startServer(b, nil)
	msg := []byte("Subject: benchmark\r\n\r\n")
	for line := strings.Repeat("x", 76) + "\r\n"; len(msg) < size; {
		msg = append(msg, line...)
	}
	msg = msg[:size-2]
	msg = append(msg, "\r\n"...)

	// RunParallel starts SetParallelism × GOMAXPROCS goroutines: about
	// 20 senders, each on a connection of its own, kept open.
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((20 + procs - 1) / procs)
	b.SetBytes(size)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := dialSMTP(p.Addr, nil)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		if err := c.Hello("bench"); err != nil {
			b.Error(err)
			return
		}
		for pb.Next() {
			if err := sendOne(c, msg); err != nil {
				b.Error(err)
				return
			}
		}
		if err := c.Quit(); err != nil {
			b.Error(err)
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
