package main

import (
	"crypto/tls"
	"fmt"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// A user name and password that nothing else in a test prints, and a
// word that is only in the message's body.
const (
	wireUser     = "wire-user"
	wirePassword = "Zq7-wire-PASS-9x"
	bodyWord     = "Kx9-only-in-the-body"
)

// exchange is a conversation with a fake server, and what -v must show
// of it, in order: a line each, whole, or its start when it ends in
// "...".
type exchange struct {
	name   string
	script func(tb testing.TB) (loopback.SMTPScript, []string) // and flags
	want   []string
}

var exchanges = []exchange{
	{"a message in plain text", func(testing.TB) (loopback.SMTPScript, []string) {
		return loopback.SMTPScript{}, nil
	}, []string{
		"* connected to 127.0.0.1:...", "S: 220 fake ESMTP", "C: EHLO localhost",
		"S: 250 OK", "C: MAIL FROM:<sender@example.com>", "S: 250 OK",
		"C: RCPT TO:<a@example.com>", "S: 250 OK", "C: DATA", "S: 354 go ahead",
		`C: From: "Netprog Sender" <sender@example.com>`,
		"C: To: <a@example.com>", "C: Subject: Hi", "C: Date: ...",
		"C: Message-ID: <...", "C: MIME-Version: 1.0",
		"C: Content-Type: text/plain; charset=utf-8",
		"C: Content-Transfer-Encoding: quoted-printable", "C: ",
		"C: <BODY bytes of body>", "C: .", "S: 250 OK: queued",
		"C: QUIT", "S: 221 bye",
	}},
	{"STARTTLS, then AUTH PLAIN", func(tb testing.TB) (loopback.SMTPScript, []string) {
		cfg, certPEM := loopback.TLSConfig(tb)
		return loopback.SMTPScript{TLS: cfg, Replies: map[string]string{
				"EHLO":     "250-fake\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN",
				"STARTTLS": "220 go ahead",
				"AUTH":     "235 welcome",
			}}, []string{"-user", wireUser,
				"-ca", writeFile(tb, "server-cert.pem", certPEM)}
	}, []string{
		"S: 220 fake ESMTP", "C: EHLO localhost", "S: 250-fake",
		"S: 250-STARTTLS", "S: 250 AUTH PLAIN LOGIN", "C: STARTTLS",
		"S: 220 go ahead", "* TLS handshake done: TLS 1.3, ...",
		"C: EHLO localhost", "S: 250-fake", "C: AUTH PLAIN <hidden>",
		"S: 235 welcome", "C: MAIL FROM:<sender@example.com>", "C: DATA",
		"C: Subject: Hi", "C: <BODY bytes of body>", "C: .", "C: QUIT",
	}},
	{"AUTH LOGIN", func(testing.TB) (loopback.SMTPScript, []string) {
		return loopback.SMTPScript{Replies: map[string]string{
			"EHLO":            "250-fake\r\n250 AUTH LOGIN",
			"AUTH LOGIN":      "334 VXNlcm5hbWU6", // "Username:"
			b64(wireUser):     "334 UGFzc3dvcmQ6", // "Password:"
			b64(wirePassword): "235 welcome",
		}}, []string{"-user", wireUser}
	}, []string{
		"C: EHLO localhost", "S: 250 AUTH LOGIN", "C: AUTH LOGIN",
		"S: 334 VXNlcm5hbWU6", "C: <hidden>", "S: 334 UGFzc3dvcmQ6",
		"C: <hidden>", "S: 235 welcome", "C: MAIL FROM:<sender@example.com>",
		"C: <BODY bytes of body>", "C: .", "C: QUIT",
	}},
}

// talk runs the client against a fake server that follows ex's script,
// and returns the fake server, and what the client printed.
func talk(t *testing.T, ex exchange, flags ...string) (*loopback.FakeSMTP, string, string) {
	t.Helper()
	script, more := ex.script(t)
	f := loopback.NewFakeSMTP(t, script)
	// Lines that start with dots, and one of base64, so that the
	// body's size shows the dots taken off again.
	body := ".\n..\n.x\n" + bodyWord + "\n" + b64(strings.Repeat("\xff", 300))
	args := append([]string{"-to", "a@example.com", "-subject", "Hi",
		"-body", body}, append(more, flags...)...)
	stdout, stderr, err := runClient(t, f.Addr,
		map[string]string{"SMTP_PASSWORD": wirePassword}, args...)
	if err != nil {
		t.Fatalf("%v; stderr %q", err, stderr)
	}
	return f, stdout, stderr
}

// inOrder checks that lines holds each line of want, in that order: the
// same line, or one that starts with it if it ends in "...".
func inOrder(tb testing.TB, lines []string, want []string) {
	tb.Helper()
	i := 0
	for _, w := range want {
		for i < len(lines) && !lineMatches(lines[i], w) {
			i++
		}
		if i == len(lines) {
			tb.Errorf("no line %q (in order) in:\n%s", w, strings.Join(lines, "\n"))
			return
		}
		i++
	}
}

func lineMatches(line, want string) bool {
	if start, ok := strings.CutSuffix(want, "..."); ok {
		return strings.HasPrefix(line, start)
	}
	return line == want
}

// bodySize is the size of the body of the one message f received, as
// -v shows it.
func bodySize(tb testing.TB, f *loopback.FakeSMTP) string {
	tb.Helper()
	msgs := f.Messages()
	if len(msgs) != 1 {
		tb.Fatalf("got %d messages, want 1", len(msgs))
	}
	_, body, _ := strings.Cut(msgs[0], "\r\n\r\n")
	return thousands(int64(len(body)))
}

func TestVerbose(t *testing.T) {
	for _, ex := range exchanges {
		t.Run("-v shows "+ex.name+", line by line", func(t *testing.T) {
			f, _, stderr := talk(t, ex, "-v")
			want := make([]string, len(ex.want))
			for i, w := range ex.want {
				want[i] = strings.Replace(w, "BODY", bodySize(t, f), 1)
			}
			inOrder(t, strings.Split(stderr, "\n"), want)
		})
	}

	t.Run("the TLS note names the certificate's subject", func(t *testing.T) {
		_, _, stderr := talk(t, exchanges[1], "-v")
		if want := ", certificate CN=localhost\n"; !strings.Contains(stderr, want) {
			t.Errorf("got %q, want %q in it", stderr, want)
		}
	})
}

func TestVerboseNeverShowsSecrets(t *testing.T) {
	secrets := []string{wirePassword, b64(wirePassword),
		b64("\x00" + wireUser + "\x00" + wirePassword), bodyWord}
	for _, ex := range exchanges {
		t.Run("-v shows nothing of the password or the body in "+ex.name,
			func(t *testing.T) {
				_, stdout, stderr := talk(t, ex, "-v")
				for _, s := range secrets {
					if strings.Contains(stdout+stderr, s) {
						t.Errorf("the output shows %q:\n%s", s, stderr)
					}
				}
			})
	}
}

func TestVerboseHidesSecretsFromAHostileServer(t *testing.T) {
	// A server may send a second reply with the first, in one write:
	// -v reads both before the client answers the first. Whatever the
	// replies say, the lines the client writes with a credential in
	// them are hidden.
	tests := []struct{ name, ehlo, auth string }{
		{"a password asked, then 250", "250 AUTH LOGIN",
			"334 UGFzc3dvcmQ6\r\n250 x"},
		{"a user name asked, then 250", "250 AUTH LOGIN",
			"334 VXNlcm5hbWU6\r\n250 x"},
		{"AUTH PLAIN answered with 334, then 250", "250 AUTH PLAIN",
			"334 UGFzc3dvcmQ6\r\n250 x"},
		{"AUTH PLAIN answered with 250, then 334", "250 AUTH PLAIN",
			"250 x\r\n334 UGFzc3dvcmQ6"},
	}
	secrets := []string{wireUser, b64(wireUser), wirePassword,
		b64(wirePassword), b64("\x00" + wireUser + "\x00" + wirePassword)}
	for _, tt := range tests {
		t.Run("-v hides the credentials when the server sends "+tt.name,
			func(t *testing.T) {
				f := loopback.NewFakeSMTP(t, loopback.SMTPScript{
					Replies: map[string]string{
						"EHLO": "250-fake\r\n" + tt.ehlo, "AUTH": tt.auth}})
				stdout, stderr, err := runClient(t, f.Addr,
					map[string]string{"SMTP_PASSWORD": wirePassword},
					"-to", "a@example.com", "-user", wireUser, "-v")
				if err == nil {
					t.Fatal("got no error, want one: the login failed")
				}
				out := stdout + stderr + err.Error()
				for _, s := range secrets {
					if strings.Contains(out, s) {
						t.Errorf("the output shows %q:\n%s%s\n%v",
							s, stdout, stderr, err)
					}
				}
			})
	}
}

func TestVerboseHidesTheBodyFromAHostileServer(t *testing.T) {
	// The 354 comes with the reply to RCPT, before DATA is sent: -v
	// reads it then, and the client when it has sent DATA.
	f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: map[string]string{
		"RCPT": "250 OK\r\n354 go ahead", "DATA": "250 x"}})
	stdout, stderr, err := runClient(t, f.Addr, nil, "-to", "a@example.com",
		"-body", bodyWord, "-v")
	// The client may take the 250 for an answer to its data, or not:
	// either way, -v shows the body's size only.
	if out := fmt.Sprint(stdout, stderr, err); strings.Contains(out, bodyWord) {
		t.Errorf("the output shows the body:\n%s%s\n%v", stdout, stderr, err)
	}
}

func TestQuietWithoutVerbose(t *testing.T) {
	for _, ex := range exchanges {
		t.Run("without -v, "+ex.name+" prints nothing on stderr", func(t *testing.T) {
			_, stdout, stderr := talk(t, ex)
			if stderr != "" {
				t.Errorf("got stderr %q, want nothing", stderr)
			}
			if want := "sent to 1 recipient via "; !strings.HasPrefix(stdout, want) {
				t.Errorf("got stdout %q, want %q...", stdout, want)
			}
		})
	}
}

func TestVerboseQuotesTheServer(t *testing.T) {
	// With -v every reply reaches the terminal: an escape sequence in
	// one must not.
	cert, certPEM := loopback.Certificate(t, "\x1b[2Jevil", "127.0.0.1")
	f := loopback.NewFakeSMTP(t, loopback.SMTPScript{
		Greeting: "220 \x1b[2Jfake",
		TLS:      &tls.Config{Certificates: []tls.Certificate{cert}},
		Replies: map[string]string{
			"EHLO":     "250-\x1b]0;title\a\r\n250 STARTTLS",
			"STARTTLS": "220 go ahead",
		}})
	_, stderr, err := runClient(t, f.Addr, nil, "-to", "a@example.com", "-v",
		"-ca", writeFile(t, "evil.pem", certPEM))
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(stderr, "\x1b\a") {
		t.Errorf("got %q, want no escape character", stderr)
	}
	for _, want := range []string{`S: "220 \x1b[2Jfake"`, `S: "250-\x1b]0;title\a"`,
		`, certificate "CN=\x1b[2Jevil"`} {
		if !strings.Contains(stderr, want+"\n") {
			t.Errorf("got %q, want %q in it", stderr, want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000",
		12345: "12,345", 1234567: "1,234,567", 52428800: "52,428,800"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d): got %q, want %q", n, got, want)
		}
	}
}
