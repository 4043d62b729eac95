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
	"time"

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
// that these say the message came from a@example.com, the sender of every
// test message, over protocol with.
func checkSaved(tb testing.TB, saved []byte, with string, body []byte) {
	const sender = "a@example.com"
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
			c.tb.Fatalf("the server sent no whole reply: %v (got %q)", err,
				b.String())
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
		randomBytes(5222, 1)) // 5.1 KiB
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
			checkSaved(t, saved, tt.protocol, msg)
			// The server prints the line before it reads QUIT, so
			// it is there once QUIT has its reply.
			want := `from "a@example.com" to "b@example.com", "c@example.com"; ` +
				`subject "示例代码实验邮件"; attachments "hello.txt" 12 B, ` +
				`"本月数据.xlsx" 5.1 KiB; saved ` + filepath.Join(out, name) + "\n"
			if got := p.Stdout(); got != want {
				t.Errorf("got stdout %q, want %q", got, want)
			}
		})
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
