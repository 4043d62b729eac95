package main

import (
	"bufio"
	"crypto/tls"
	"strings"
	"testing"
	"testing/synctest"
)

// conversationCase is a session with the sink, started with args: each
// step is a command and the start of the reply it must get.
type conversationCase struct {
	name  string
	args  []string
	steps []step
}

// goodPlain is the AUTH PLAIN command with alice's right password.
var goodPlain = "AUTH PLAIN " + b64("\x00alice\x00secret")

// conversations are the sessions TestConversations plays.
var conversations = []conversationCase{
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

func TestConversations(t *testing.T) {
	for _, tt := range conversations {
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
	checkSaved(t, saved, "ESMTP", []byte(body))
}
