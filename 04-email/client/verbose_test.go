package main

import (
	"crypto/tls"
	"fmt"
	"regexp"
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
// of it, in order, a line each ("..." stands for any text).
type exchange struct {
	name   string
	script func(tb testing.TB) (loopback.SMTPScript, []string) // and flags
	want   []string
}

var exchanges = []exchange{
	{"a message in plain text", func(testing.TB) (loopback.SMTPScript, []string) {
		return loopback.SMTPScript{}, nil
	}, []string{
		"* connected to 127.0.0.1:...",
		`S: "220 fake ESMTP\r\n"`, `C: "EHLO localhost\r\n"`, `S: "250 OK\r\n"`,
		`C: "MAIL FROM:<sender@example.com>\r\n"`, `S: "250 OK\r\n"`,
		`C: "RCPT TO:<a@example.com>\r\n"`, `S: "250 OK\r\n"`, `C: "DATA\r\n"`,
		"C: <MESSAGE bytes hidden>", `S: "250 OK: queued\r\n"`, `C: "QUIT\r\n"`, `S: "221 bye\r\n"`,
		"* the client closed the connection (C: ...",
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
		`S: "220 fake ESMTP\r\n"`, `C: "EHLO localhost\r\n"`,
		`S: "250-fake\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"`,
		`C: "STARTTLS\r\n"`, "* TLS 1.3, ...",
		`* certificate "CN=localhost"`, `C: "EHLO localhost\r\n"`, `S: "250-fake...`,
		`C: "AUTH PLAIN "`, fmt.Sprintf("C: <%d bytes hidden>",
			len(b64("\x00"+wireUser+"\x00"+wirePassword))+2),
		`S: "235 welcome\r\n"`, `C: "MAIL FROM:<sender@example.com>\r\n"`,
		`C: "DATA\r\n"`, "C: <MESSAGE bytes hidden>", `C: "QUIT\r\n"`,
	}},
	{"AUTH LOGIN", func(testing.TB) (loopback.SMTPScript, []string) {
		return loopback.SMTPScript{Replies: map[string]string{
			"EHLO":            "250-fake\r\n250 AUTH LOGIN",
			"AUTH LOGIN":      "334 VXNlcm5hbWU6", // "Username:"
			b64(wireUser):     "334 UGFzc3dvcmQ6", // "Password:"
			b64(wirePassword): "235 welcome",
		}}, []string{"-user", wireUser}
	}, []string{
		`C: "EHLO localhost\r\n"`, `S: "250-fake\r\n250 AUTH LOGIN\r\n"`,
		// Each answer as its size.
		`C: "AUTH LOGIN\r\n"`, fmt.Sprintf("C: <%d bytes hidden>",
			len(b64(wireUser))+2),
		fmt.Sprintf("C: <%d bytes hidden>", len(b64(wirePassword))+2),
		`S: "235 welcome\r\n"`,
		`C: "MAIL FROM:<sender@example.com>\r\n"`, "C: <MESSAGE bytes hidden>",
		`C: "QUIT\r\n"`,
	}},
}

// talk runs the client against a fake server that follows ex's script,
// and returns the fake server, and what the client printed.
func talk(t *testing.T, ex exchange, flags ...string) (*loopback.FakeSMTP, string, string) {
	t.Helper()
	script, more := ex.script(t)
	f := loopback.NewFakeSMTP(t, script)
	// Lines that start with dots, and one of base64, so that the
	// message's size shows the dots added on the wire.
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

// missing says what a line of -v that is not there means.
var missing = map[string]string{
	"* TLS 1.3, ...":               "-v no longer shows what goes inside TLS",
	`* certificate "CN=localhost"`: "-v no longer names the server's certificate",
}

// inOrder checks that lines, what -v printed, hold each line of want, in
// that order, where "..." in want stands for any text.
func inOrder(tb testing.TB, lines []string, want []string) {
	tb.Helper()
	i := 0
	for _, w := range want {
		for i < len(lines) && !lineMatches(lines[i], w) {
			i++
		}
		if i == len(lines) {
			what, ok := missing[w]
			if !ok {
				what = "-v does not show the conversation as it went"
			}
			tb.Errorf("%s: no line %q (in order) in what it printed:\n%s",
				what, w, strings.Join(lines, "\n"))
			return
		}
		i++
	}
}

func lineMatches(line, want string) bool {
	parts := strings.Split(want, "...")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(line)
}

// wireSize is the size of the one message f received as it crossed the
// wire: with a dot added to each line that starts with one, and the
// line with a dot alone at its end.
func wireSize(tb testing.TB, f *loopback.FakeSMTP) string {
	tb.Helper()
	msgs := f.Messages()
	if len(msgs) != 1 {
		tb.Fatalf("got %d messages, want 1", len(msgs))
	}
	stuffed := strings.ReplaceAll("\r\n"+msgs[0], "\r\n.", "\r\n..")
	return fmt.Sprint(len(stuffed) - 2 + len(".\r\n"))
}

func TestVerbose(t *testing.T) {
	for _, ex := range exchanges {
		t.Run("-v shows "+ex.name+", line by line", func(t *testing.T) {
			f, _, stderr := talk(t, ex, "-v")
			want := make([]string, len(ex.want))
			for i, w := range ex.want {
				want[i] = strings.Replace(w, "MESSAGE", wireSize(t, f), 1)
			}
			inOrder(t, strings.Split(stderr, "\n"), want)
		})
	}

	t.Run("the TLS note names the certificate's subject", func(t *testing.T) {
		_, _, stderr := talk(t, exchanges[1], "-v")
		if want := "* certificate \"CN=localhost\"\n"; !strings.Contains(stderr, want) {
			t.Errorf("-v no longer names the server's certificate: no line %q in what it printed:\n%s",
				strings.TrimSuffix(want, "\n"), stderr)
		}
	})
}

func TestVerboseShowsTheRepliesBeforeAHide(t *testing.T) {
	// The 354, the 220 to STARTTLS and each 334 of AUTH LOGIN are read
	// just before the client hides what it writes, or leaves the plain
	// text for TLS: hide shows them first, as text.
	want := [][]string{
		{`C: "DATA\r\n"`, `S: "354 go ahead\r\n"`, "C: <... bytes hidden>"},
		{`C: "STARTTLS\r\n"`, `S: "220 go ahead\r\n"`, "* TLS 1.3, ..."},
		{`C: "AUTH LOGIN\r\n"`, `S: "334 VXNlcm5hbWU6\r\n"`, "C: <... bytes hidden>",
			`S: "334 UGFzc3dvcmQ6\r\n"`, "C: <... bytes hidden>", `S: "235 welcome\r\n"`},
	}
	for i, ex := range exchanges {
		t.Run("-v shows the replies read before a hide in "+ex.name, func(t *testing.T) {
			_, _, stderr := talk(t, ex, "-v")
			inOrder(t, strings.Split(stderr, "\n"), want[i])
		})
	}
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
		t.Errorf("-v printed an escape character as it is, want it quoted")
	}
	for _, want := range []string{`S: "220 \x1b[2Jfake\r\n"`,
		`S: "250-\x1b]0;title\a\r\n250 STARTTLS\r\n"`, `* certificate "CN=\x1b[2Jevil"`} {
		if !strings.Contains(stderr, want+"\n") {
			t.Errorf("no line %s in what -v printed", want)
		}
	}
	if t.Failed() {
		t.Logf("-v printed (escape characters quoted here):\n%s",
			strings.NewReplacer("\x1b", `\x1b`, "\a", `\a`).Replace(stderr))
	}
}
