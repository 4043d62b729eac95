package main

import (
	"errors"
	"fmt"
	"io"
	"net/smtp"
	"regexp"
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

// wireSize is the message's size on the wire, as -v shows it: a dot
// more on each of its three lines that start with one, and a line with a
// dot alone at its end.
var wireSize = fmt.Sprint(len(wireMessage) + 3 + len(".\r\n"))

// wireLines returns the lines -v printed in log, each without the
// client's address in front, a list for each client, in the order they
// came.
func wireLines(tb testing.TB, log string) [][]string {
	tb.Helper()
	var clients []string
	lines := map[string][]string{}
	for line := range strings.Lines(log) {
		addr, rest, _ := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if !strings.HasPrefix(rest, "C: ") && !strings.HasPrefix(rest, "S: ") &&
			!strings.HasPrefix(rest, "* ") {
			continue // a line of the log
		}
		if !strings.HasPrefix(addr, "127.0.0.1:") {
			tb.Errorf("got %q, want it after the client's address", line)
		}
		if lines[addr] == nil {
			clients = append(clients, addr)
		}
		lines[addr] = append(lines[addr], rest)
	}
	var all [][]string
	for _, addr := range clients {
		all = append(all, lines[addr])
	}
	return all
}

// inOrder checks that lines holds each line of want, in that order, where
// "..." in want stands for any text.
func inOrder(tb testing.TB, lines []string, want []string) {
	tb.Helper()
	i := 0
	for _, w := range want {
		for i < len(lines) && !lineMatches(lines[i], w) {
			i++
		}
		if i == len(lines) {
			what := "-v does not show the conversation as it went"
			if strings.HasSuffix(w, " bytes hidden>") {
				what = "-v shows what it must hide, a credential or a message"
			}
			tb.Errorf("%s: no line %q (in order) in:\n%s",
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

// only returns the one client's lines in all, or fails.
func only(tb testing.TB, all [][]string) []string {
	tb.Helper()
	if len(all) != 1 {
		tb.Fatalf("-v showed %d clients, want 1: %q", len(all), all)
	}
	return all[0]
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
	data := []string{`C: "DATA\r\n"`, `S: "354 end data with <CR><LF>.<CR><LF>\r\n"`,
		"C: <" + wireSize + " bytes hidden>", `S: "250 saved as ...`,
		`C: "QUIT\r\n"`, `S: "221 ...`}
	tests := []struct {
		name string
		args []string
		talk func(t *testing.T, s *sink)
		want []string
	}{
		{"a message from net/smtp in plain text", nil,
			func(t *testing.T, s *sink) { viaNetSMTP(t, s, false, false) },
			append([]string{"* connected to 127.0.0.1:1 from 127.0.0.1:...",
				`S: "220 ...`, `C: "EHLO localhost\r\n"`, `S: "250-...\r\n` +
					`250-PIPELINING\r\n250-SIZE 26214400\r\n250 8BITMIME\r\n"`,
				`C: "MAIL FROM:<a@example.com> BODY=8BITMIME\r\n"`, `S: "250 OK\r\n"`,
				`C: "RCPT TO:<b@example.com>\r\n"`, `S: "250 OK\r\n"`,
				`C: "RCPT TO:<c@example.com>\r\n"`, `S: "250 OK\r\n"`}, data...)},
		{"STARTTLS and AUTH PLAIN from net/smtp", []string{"-tls", "-user", "alice"},
			func(t *testing.T, s *sink) { viaNetSMTP(t, s, true, true) },
			append([]string{`C: "EHLO localhost\r\n"`, `S: "...250 STARTTLS\r\n"`,
				`C: "STARTTLS\r\n"`, `S: "220 ready to start TLS\r\n"`,
				"* TLS 1.3, ...", `C: "EHLO localhost\r\n"`,
				`S: "...250 AUTH PLAIN LOGIN\r\n"`, fmt.Sprintf("C: <%d bytes hidden>",
					len("AUTH PLAIN "+b64("\x00alice\x00"+wirePassword)+"\r\n")),
				`S: "235 authentication succeeded\r\n"`,
				`C: "MAIL FROM:<a@example.com> BODY=8BITMIME\r\n"`}, data...)},
		{"AUTH LOGIN, by hand", []string{"-user", "alice"},
			func(t *testing.T, s *sink) {
				s.dial(t).play(s.dir, step{"EHLO test", "250-"},
					step{"AUTH LOGIN", "334 VXNlcm5hbWU6"},
					step{b64("alice"), "334 UGFzc3dvcmQ6"},
					step{b64(wirePassword), "235 "}, step{"QUIT", "221 "})
			},
			[]string{`C: "EHLO test\r\n"`, `S: "...250 AUTH PLAIN LOGIN\r\n"`,
				`C: "AUTH LOGIN\r\n"`, `S: "334 VXNlcm5hbWU6\r\n"`,
				fmt.Sprintf("C: <%d bytes hidden>", len(b64("alice"))+2),
				`S: "334 UGFzc3dvcmQ6\r\n"`,
				fmt.Sprintf("C: <%d bytes hidden>", len(b64(wirePassword))+2),
				`S: "235 authentication succeeded\r\n"`, `C: "QUIT\r\n"`}},
	}
	for _, tt := range tests {
		t.Run("-v shows "+tt.name+", line by line", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := startSinkWith(t, wireEnv, nil, append(tt.args, "-v")...)
				tt.talk(t, s)
				if err := s.stop(); err != nil {
					t.Fatal(err)
				}
				inOrder(t, only(t, wireLines(t, s.log.String())), tt.want)
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
					t.Errorf("the output shows %q", secret)
				}
			}
		}
		if t.Failed() {
			t.Logf("the output:\n%s", out)
		}
		// Each line with a credential shows as its size; the second client
		// sends one on its AUTH line.
		sessions := wireLines(t, s.log.String())
		if len(sessions) != 2 {
			t.Fatalf("-v showed %d clients, want 2", len(sessions))
		}
		hidden := "C: <... bytes hidden>"
		inOrder(t, sessions[0], []string{`C: "EHLO test\r\n"`, hidden,
			`S: "535 ...`, hidden, `S: "501 ...`, hidden, `S: "504 ...`,
			`C: "AUTH PLAIN\r\n"`, `S: "334 \r\n"`, hidden, `S: "235 ...`,
			`C: "DATA\r\n"`, `S: "354 ...`, "C: <" + wireSize + " bytes hidden>",
			`S: "250 ...`})
		inOrder(t, sessions[1], []string{`C: "EHLO test\r\n"`, hidden,
			`S: "334 UGFzc3dvcmQ6\r\n"`, hidden, `S: "535 ...`,
			`C: "AUTH LOGIN\r\n"`, `S: "334 VXNlcm5hbWU6\r\n"`, hidden,
			`S: "334 UGFzc3dvcmQ6\r\n"`, hidden, `S: "235 ...`})
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
						t.Errorf("the output shows %q", secret)
					}
				}
				if t.Failed() {
					t.Logf("the output:\n%s", out)
				}
				// A command is shown as it is, whatever its case.
				inOrder(t, only(t, wireLines(t, s.log.String())),
					[]string{"C: <... bytes hidden>",
						`S: "500 unknown command\r\n"`, `C: "noop\r\n"`})
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
		lines := only(t, wireLines(t, s.log.String()))
		if got := strings.Join(lines, "\n"); strings.ContainsAny(got, "\x1b\a") {
			t.Errorf("got %q, want no escape character", got)
		}
		inOrder(t, lines, []string{`C: "NOOP \x1b[2J\r\n"`,
			`C: "NOOP xxx..." (1007 bytes)`, `S: "500 line too long...`,
			`C: "DATA\r\n"`, `S: "354 ...`, "C: <30 bytes hidden>"})
	})
}

func TestVerboseShowsTheMessageAsItsSize(t *testing.T) {
	// A message with no blank line is all headers: -v shows none of it,
	// whatever its shape, only its size, on one line.
	synctest.Test(t, func(t *testing.T) {
		s := startSinkWith(t, wireEnv, nil, "-v")
		var msg strings.Builder
		for i := range 300 {
			fmt.Fprintf(&msg, "X-Line: %d\r\n", i)
		}
		s.dial(t).play(s.dir,
			append(envelope, step{msg.String() + ".", "250 "})...)
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		lines := only(t, wireLines(t, s.log.String()))
		if got := strings.Join(lines, "\n"); strings.Contains(got, "X-Line") {
			t.Errorf("-v shows the message's lines:\n%s", got)
		}
		inOrder(t, lines, []string{`S: "354 ...`,
			fmt.Sprintf("C: <%d bytes hidden>", msg.Len()+len(".\r\n")),
			`S: "250 saved as ...`})
	})
}

func TestMayBeSecret(t *testing.T) {
	for line, want := range map[string]bool{
		"AUTH PLAIN":                        false,
		"AUTH LOGIN":                        false,
		"auth PLAIN AGFAAGI=":               true,
		"AUTH LOGIN YWxpY2U=":               true,
		"AUTH PLAIN  AGFAAGI=":              true,
		"AUTH\tPLAIN\tAGFAAGI=":             true,
		"AUTH AGFsaWNlAHB3":                 true,
		"AUTH plain AGFAAGI=":               true,
		"MAIL FROM:<a@b.c>":                 false,
		"YWxpY2U=":                          true,
		"AGFAAGI= ":                         true,
		"RSET":                              false,
		"quit":                              false,
		"*":                                 false,
		"HELO":                              false,
		"EHLO x\r\nAUTH PLAIN AGFAAGI=\r\n": true, // read with the line before
		"EHLO x\r\nAUTH PLAIN AG":           true, // the rest yet to come
	} {
		if got := mayBeSecret(line); got != want {
			t.Errorf("mayBeSecret(%q): got %v, want %v", line, got, want)
		}
	}
}
