package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

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

	t.Run("upgrades with STARTTLS and trusts -ca", testUpgradesWithSTARTTLS)
}

// testUpgradesWithSTARTTLS checks that the client sends STARTTLS when
// offered, trusts the certificate in -ca, and says EHLO again.
func testUpgradesWithSTARTTLS(t *testing.T) {
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
}

// sendFailure is a fake server's misbehaviour, the client's extra
// flags, and what the client's error must say.
type sendFailure struct {
	name   string
	script loopback.SMTPScript
	flags  []string
	want   string
	sent   bool // whether a message should have been accepted
}

// sendFailures are the failures TestSendFailures plays, each sending "hi"
// to a@example.com and b@example.com.
var sendFailures = []sendFailure{
	{"a greeting of 554", loopback.SMTPScript{Greeting: "554 go away"},
		nil, `greeting: the server said 554 "go away"`, false},
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
	{"the connection dropped after the final dot: it may have been delivered",
		loopback.SMTPScript{Replies: map[string]string{".": loopback.Drop}}, nil,
		"(the message may still have been delivered: check before sending again)",
		true},
}

func TestRefusedRecipients(t *testing.T) {
	t.Run("each refused recipient is named, and the client fails", func(t *testing.T) {
		f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: map[string]string{
			"RCPT TO:<b@example.com>": "452 too many recipients",
			"RCPT TO:<c@example.com>": "550 no such user"}})
		stdout, stderr, err := runClient(t, f.Addr, nil,
			"-to", "a@example.com, b@example.com, c@example.com", "-body", "hi")
		if want := "2 of 3 recipients refused"; err == nil ||
			!strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error containing %q", err, want)
		}
		for _, want := range []string{
			`refused b@example.com: the server said 452 "too many recipients"` + "\n",
			`refused c@example.com: the server said 550 "no such user"` + "\n"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr does not say %q:\n%s", want, stderr)
			}
		}
		if !strings.HasPrefix(stdout, "sent to 1 recipient ") || len(f.Messages()) != 1 {
			t.Errorf("got %q and %d messages, want one sent", stdout, len(f.Messages()))
		}
	})

	t.Run("421 stops the client: the server is closing", func(t *testing.T) {
		f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: map[string]string{
			"RCPT TO:<b@example.com>": "421 closing the connection"}})
		stdout, _, err := runClient(t, f.Addr, nil,
			"-to", "a@example.com, b@example.com, c@example.com", "-body", "hi")
		if want := `RCPT TO b@example.com: the server said 421 "closing the ` +
			`connection" (the server is closing`; err == nil ||
			!strings.Contains(err.Error(), want) {
			t.Errorf("got %v, want an error containing %q", err, want)
		}
		want := []string{"EHLO localhost", "MAIL FROM:<sender@example.com>",
			"RCPT TO:<a@example.com>", "RCPT TO:<b@example.com>"}
		if got := f.Commands(); !slices.Equal(got, want) {
			t.Errorf("got %q, want nothing after the 421: %q", got, want)
		}
		if stdout != "" {
			t.Errorf("printed %q, want nothing", stdout)
		}
	})
}

func TestSendFailures(t *testing.T) {
	for _, tc := range sendFailures {
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
	cert, certPEM := loopback.Certificate(t, "\x1b[2Jevil.example")
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
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
		// The client fails, since b@example.com was refused: its
		// reply is on stderr.
		_, stderr, _ := runClient(t, f.Addr, nil, "-to", "a@example.com, b@example.com")
		if want := `refused b@example.com: the server said 550 "\x1b[2Jno"`; !strings.Contains(stderr, want) {
			t.Errorf("got stderr %q, want %q in it", stderr, want)
		}
	})
}

func TestHostileReplies(t *testing.T) {
	// A server that never ends a reply line, or a reply, would have the
	// client read until -timeout, its memory growing: it must give up
	// at once, past maxReplyLine bytes or maxReplyLines lines.
	tests := []struct {
		name  string
		first string // sent once, then repeat, until the client hangs up
		again string
		want  string
	}{
		{"an endless reply line", "220 ", strings.Repeat("x", 1000),
			"greeting: a reply line longer than 4096 bytes"},
		{"endless continuation lines", "220-fake\r\n", "220-and more\r\n",
			"greeting: a reply of more than 100 lines"},
		{"endless lines in the reply to EHLO", "220 fake\r\n",
			"250-PIPELINING\r\n", "EHLO: a reply of more than 100 lines"},
	}
	for _, tc := range tests {
		t.Run("the client refuses "+tc.name, func(t *testing.T) {
			addr := loopback.Serve(t, func(conn net.Conn) {
				_, err := io.WriteString(conn, tc.first)
				for err == nil {
					_, err = io.WriteString(conn, tc.again)
				}
			})
			// Without the bound the client reads, its memory growing,
			// until -timeout: 3s is plenty for a bound that works at
			// once.
			_, _, err := runClient(t, addr, nil, "-to", "a@example.com",
				"-timeout", "3s")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
