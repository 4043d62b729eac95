package main

import (
	"errors"
	"fmt"
	"io"
	"net/smtp"
	"strings"
	"testing"
	"testing/synctest"
)

// A password and a wrong one that nothing else in a test prints, and a
// word that is only in a message's body.
const (
	wirePassword = "Zq7-wire-PASS-9x"
	wrongWire    = "Wr0ng-wire-GUESS-4q"
	bodyWord     = "Kx9-only-in-the-body"
)

var wireEnv = map[string]string{"SMTP_PASSWORD": wirePassword}

// wireMessage has lines that start with dots, which net/smtp sends with
// a second one, so that the body's size shows them taken off again.
const wireMessage = "From: a@example.com\r\nSubject: -v\r\n\r\n" +
	".\r\n..\r\n.x\r\n" + bodyWord + "\r\n"

// wireBody is the body's size, as -v shows it.
var wireBody = thousands(int64(len(wireMessage) -
	strings.Index(wireMessage, "\r\n\r\n") - 4))

// wireLines returns the lines -v printed in log, each without the
// client's address in front.
func wireLines(tb testing.TB, log string) []string {
	tb.Helper()
	var lines []string
	for line := range strings.Lines(log) {
		addr, rest, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if !strings.HasPrefix(rest, "C: ") && !strings.HasPrefix(rest, "S: ") &&
			!strings.HasPrefix(rest, "* ") {
			continue // a line of the log
		}
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			tb.Errorf("got %q, want it after the client's address", line)
		}
		lines = append(lines, rest)
	}
	return lines
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

// viaNetSMTP sends wireMessage to the sink with net/smtp, after STARTTLS
// if starttls, and after AUTH PLAIN as alice if login.
func viaNetSMTP(t *testing.T, s *sink, starttls, login bool) {
	conn, err := s.pl.Dial()
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if starttls {
		if err := c.StartTLS(tlsConfig(t, s.dir, "127.0.0.1")); err != nil {
			t.Fatal(err)
		}
	}
	if login {
		auth := smtp.PlainAuth("", "alice", wirePassword, "127.0.0.1")
		if err := c.Auth(auth); err != nil {
			t.Fatal(err)
		}
	}
	if err := sendOne(c, []byte(wireMessage)); err != nil {
		t.Fatal(err)
	}
	// After 221, the sink closes the connection. A pipe holds no data:
	// the goodbye TLS sends then finds no one to read it.
	if err := c.Quit(); err != nil && !errors.Is(err, io.ErrClosedPipe) {
		t.Fatal(err)
	}
}

func TestVerbose(t *testing.T) {
	data := []string{"C: DATA", "S: 354 end data with <CR><LF>.<CR><LF>",
		"C: From: a@example.com", "C: Subject: -v", "C: ",
		"C: <" + wireBody + " bytes of body>", "C: .", "S: 250 saved as ...",
		"C: QUIT", "S: 221 ..."}
	tests := []struct {
		name string
		args []string
		talk func(t *testing.T, s *sink)
		want []string
	}{
		{"a message from net/smtp in plain text", nil,
			func(t *testing.T, s *sink) { viaNetSMTP(t, s, false, false) },
			append([]string{"* connected to 127.0.0.1:1", "S: 220 ...",
				"C: EHLO localhost", "S: 250-...",
				"S: 250-PIPELINING", "S: 250-SIZE 26214400", "S: 250 8BITMIME",
				"C: MAIL FROM:<a@example.com> BODY=8BITMIME", "S: 250 OK",
				"C: RCPT TO:<b@example.com>", "S: 250 OK",
				"C: RCPT TO:<c@example.com>", "S: 250 OK"}, data...)},
		{"STARTTLS and AUTH PLAIN from net/smtp", []string{"-tls", "-user", "alice"},
			func(t *testing.T, s *sink) { viaNetSMTP(t, s, true, true) },
			append([]string{"C: EHLO localhost", "S: 250 STARTTLS",
				"C: STARTTLS", "S: 220 ready to start TLS",
				"* TLS handshake done: TLS 1.3, ...", "C: EHLO localhost",
				"S: 250 AUTH PLAIN LOGIN", "C: AUTH PLAIN <hidden>",
				"S: 235 authentication succeeded",
				"C: MAIL FROM:<a@example.com> BODY=8BITMIME"}, data...)},
		{"AUTH LOGIN, by hand", []string{"-user", "alice"},
			func(t *testing.T, s *sink) {
				s.dial(t).play(s.dir, step{"EHLO test", "250-"},
					step{"AUTH LOGIN", "334 VXNlcm5hbWU6"},
					step{b64("alice"), "334 UGFzc3dvcmQ6"},
					step{b64(wirePassword), "235 "}, step{"QUIT", "221 "})
			},
			[]string{"C: EHLO test", "S: 250 AUTH PLAIN LOGIN", "C: AUTH LOGIN",
				"S: 334 VXNlcm5hbWU6", "C: <hidden>", "S: 334 UGFzc3dvcmQ6",
				"C: <hidden>", "S: 235 authentication succeeded", "C: QUIT"}},
	}
	for _, tt := range tests {
		t.Run("-v shows "+tt.name+", line by line", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := startSinkWith(t, wireEnv, nil, append(tt.args, "-v")...)
				tt.talk(t, s)
				if err := s.stop(); err != nil {
					t.Fatal(err)
				}
				inOrder(t, wireLines(t, s.log.String()), tt.want)
			})
		})
	}
}

// loginEveryWay logs in as alice in every way the sink knows, with the
// wrong password and with the right one, then sends wireMessage.
func loginEveryWay(t *testing.T, s *sink) {
	plain := func(pw string) string { return b64("\x00alice\x00" + pw) }
	s.dial(t).play(s.dir, step{"EHLO test", "250-"},
		step{"AUTH PLAIN " + plain(wrongWire), "535 "},
		step{"AUTH\tPLAIN " + plain(wirePassword), "501 "},
		step{"AUTH " + plain(wirePassword), "504 "},
		step{"AUTH PLAIN", "334 "}, step{plain(wirePassword), "235 "},
		step{"MAIL FROM:<a@example.com>", "250 "},
		step{"RCPT TO:<b@example.com>", "250 "}, step{"DATA", "354 "},
		// By hand, the dots are ours to add.
		step{strings.ReplaceAll(wireMessage, "\r\n.", "\r\n..") + ".", "250 "},
		step{"QUIT", "221 "})
	s.dial(t).play(s.dir, step{"EHLO test", "250-"},
		step{"AUTH LOGIN " + b64("alice"), "334 UGFzc3dvcmQ6"},
		step{b64(wrongWire), "535 "},
		step{"AUTH LOGIN", "334 VXNlcm5hbWU6"}, step{b64("alice"), "334 "},
		step{b64(wirePassword), "235 "}, step{"QUIT", "221 "})
}

func TestVerboseNeverShowsSecrets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := startSinkWith(t, wireEnv, nil, "-user", "alice", "-v")
		loginEveryWay(t, s)
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		out := s.log.String() + s.report.String()
		for _, pw := range []string{wirePassword, wrongWire} {
			for _, secret := range []string{pw, b64(pw),
				b64("\x00alice\x00" + pw), bodyWord} {
				if strings.Contains(out, secret) {
					t.Errorf("the output shows %q:\n%s", secret, out)
				}
			}
		}
		inOrder(t, wireLines(t, s.log.String()), []string{
			"C: AUTH PLAIN <hidden>", "S: 535 ...", "C: AUTH PLAIN <hidden>",
			"S: 501 ...", "C: AUTH <hidden>", "S: 504 ...", "C: AUTH PLAIN",
			"S: 334 ", "C: <hidden>", "S: 235 ...", "C: <" + wireBody +
				" bytes of body>", "C: AUTH LOGIN <hidden>", "S: 334 UGFzc3dvcmQ6",
			"C: <hidden>", "S: 535 ...", "C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6",
			"C: <hidden>", "S: 334 UGFzc3dvcmQ6", "C: <hidden>", "S: 235 ..."})
	})
}

func TestVerboseHidesCredentialsAfterARefusedAUTH(t *testing.T) {
	// A client that pipelines AUTH LOGIN sends its answers without
	// waiting for the 334s: when AUTH is refused, they come as commands.
	tests := []struct {
		name  string
		args  []string
		steps []step
	}{
		{"AUTH is not offered", nil, []step{{"AUTH LOGIN", "502 "},
			{b64("alice"), "500 "}, {b64(wirePassword), "500 "}}},
		{"AUTH is canceled", []string{"-user", "alice"}, []step{
			{"AUTH LOGIN", "334 "}, {b64("alice"), "334 "}, {"*", "501 "},
			{b64(wirePassword), "500 "}}},
		{"the mechanism is unknown", []string{"-user", "alice"}, []step{
			{"AUTH XLOGIN", "504 "}, {b64("alice"), "500 "},
			{b64(wirePassword), "500 "}}},
	}
	for _, tt := range tests {
		t.Run("-v hides them when "+tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := startSinkWith(t, wireEnv, nil, append(tt.args, "-v")...)
				steps := append([]step{{"EHLO test", "250-"}}, tt.steps...)
				s.dial(t).play(s.dir, append(steps, step{"noop", "250 "})...)
				if err := s.stop(); err != nil {
					t.Fatal(err)
				}
				out := s.log.String() + s.report.String()
				for _, secret := range []string{b64("alice"), b64(wirePassword)} {
					if strings.Contains(out, secret) {
						t.Errorf("the output shows %q:\n%s", secret, out)
					}
				}
				// A command is shown as it is, whatever its case.
				inOrder(t, wireLines(t, s.log.String()),
					[]string{"C: <hidden>", "S: 500 unknown command", "C: noop"})
			})
		})
	}
}

func TestQuietWithoutVerbose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := startSinkWith(t, wireEnv, nil, "-user", "alice")
		loginEveryWay(t, s)
		synctest.Wait() // the sessions have ended
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		if lines := wireLines(t, s.log.String()); len(lines) > 0 {
			t.Errorf("without -v, got %q", lines)
		}
		if got := strings.Count(s.log.String(), "\n"); got != 2 {
			t.Errorf("got %d lines of log, want 2, one for each failed "+
				"AUTH:\n%s", got, s.log.String())
		}
	})
}

func TestVerboseQuotesTheClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := startSinkWith(t, wireEnv, nil, "-v")
		s.dial(t).play(s.dir, step{"NOOP \x1b[2J", "501 "},
			step{"NOOP " + strings.Repeat("x", 1000), "500 "},
			step{"EHLO test", "250-"}, step{"MAIL FROM:<a@example.com>", "250 "},
			step{"RCPT TO:<b@example.com>", "250 "}, step{"DATA", "354 "},
			step{"Subject: \x1b]0;owned\a\r\n\r\nhi\r\n.", "250 "})
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		lines := wireLines(t, s.log.String())
		if got := strings.Join(lines, "\n"); strings.ContainsAny(got, "\x1b\a") {
			t.Errorf("got %q, want no escape character", got)
		}
		inOrder(t, lines, []string{`C: "NOOP \x1b[2J"`,
			"C: <a line of more than 1000 bytes>", "S: 500 line too long...",
			`C: "Subject: \x1b]0;owned\a"`, "C: <4 bytes of body>"})
	})
}

func TestVerboseShowsAtMostMaxHeaderLines(t *testing.T) {
	// A message with no blank line is all headers: -v shows the first
	// maxHeaderLines, says so, and counts the rest as its body.
	synctest.Test(t, func(t *testing.T) {
		s := startSinkWith(t, wireEnv, nil, "-v")
		var msg strings.Builder
		shown := 0 // the bytes of the lines shown
		for i := range 3 * maxHeaderLines {
			if i == maxHeaderLines {
				shown = msg.Len()
			}
			fmt.Fprintf(&msg, "X-Line: %d\r\n", i)
		}
		s.dial(t).play(s.dir,
			append(envelope, step{msg.String() + ".", "250 "})...)
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		lines := wireLines(t, s.log.String())
		n := 0
		for _, line := range lines {
			if strings.HasPrefix(line, "C: X-Line: ") {
				n++
			}
		}
		if n != maxHeaderLines {
			t.Errorf("got %d header lines, want %d", n, maxHeaderLines)
		}
		rest := thousands(int64(msg.Len() - shown))
		inOrder(t, lines, []string{
			fmt.Sprintf("C: X-Line: %d", maxHeaderLines-1),
			fmt.Sprintf("C: <%d lines of headers shown: the rest is "+
				"counted as body>", maxHeaderLines),
			"C: <" + rest + " bytes of body>", "C: .", "S: 250 ..."})
	})
}

func TestHideAuth(t *testing.T) {
	for line, want := range map[string]string{
		"AUTH PLAIN":            "AUTH PLAIN",
		"AUTH LOGIN":            "AUTH LOGIN",
		"auth PLAIN AGFAAGI=":   "auth PLAIN <hidden>",
		"AUTH LOGIN YWxpY2U=":   "AUTH LOGIN <hidden>",
		"AUTH PLAIN  AGFAAGI=":  "AUTH PLAIN <hidden>",
		"AUTH\tPLAIN\tAGFAAGI=": "AUTH PLAIN <hidden>",
		"AUTH AGFsaWNlAHB3":     "AUTH <hidden>",
		"AUTH plain AGFAAGI=":   "AUTH <hidden>",
		"MAIL FROM:<a@b.c>":     "MAIL FROM:<a@b.c>",
		"YWxpY2U=":              "<hidden>",
		"AGFAAGI= ":             "<hidden>",
		"RSET":                  "RSET",
		"quit":                  "quit",
		"*":                     "*",
		"HELO":                  "HELO",
	} {
		if got := hideAuth(line); got != want {
			t.Errorf("hideAuth(%q): got %q, want %q", line, got, want)
		}
	}
}
