package main

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// elsewhere is a connection that says it leads to another machine: tests
// reach only this one, and the client decides by the address it reached.
type elsewhere struct{ net.Conn }

func (elsewhere) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 587} // documentation
}

// noAUTH fails the test if f was sent AUTH.
func noAUTH(tb testing.TB, f *loopback.FakeSMTP) {
	tb.Helper()
	for _, cmd := range f.Commands() {
		if strings.HasPrefix(cmd, "AUTH") {
			tb.Errorf("the server got %q, want no AUTH", cmd)
		}
	}
}

func TestPasswordOnlyOverTLS(t *testing.T) {
	// The client holds AUTH by hand: login's check is what keeps the
	// password off a network in clear.
	for _, mode := range []string{"starttls", "none"} {
		t.Run("a server elsewhere never sees AUTH without TLS, with -tls "+mode,
			func(t *testing.T) {
				f := loopback.NewFakeSMTP(t, loopback.SMTPScript{
					Replies: map[string]string{"EHLO": fakeEHLO}})
				cfg, err := parseFlags([]string{"-server", f.Addr, "-user", "me",
					"-to", "a@example.com", "-tls", mode, "-timeout", "10s"},
					func(string) string { return "pw" }, io.Discard)
				if err != nil {
					t.Fatal(err)
				}
				var d net.Dialer
				cfg.s.dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
					conn, err := d.DialContext(ctx, network, addr)
					if err != nil {
						return nil, err
					}
					return elsewhere{conn}, nil
				}
				err = cfg.deliver(context.Background(), io.Discard)
				if want := "refusing to send the password without TLS to " +
					"192.0.2.1:587"; err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("got %v, want an error containing %q", err, want)
				}
				noAUTH(t, f)
			})
	}

	t.Run("127.0.0.2 is this machine: the password goes without TLS", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.2:0")
		if err != nil {
			t.Skipf("cannot listen on 127.0.0.2, which is loopback on Linux "+
				"but not on every system: %v", err)
		}
		t.Cleanup(func() { _ = ln.Close() })
		go func() {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
			answer(conn, "")
		}()
		_, _, err = runClient(t, ln.Addr().String(),
			map[string]string{"SMTP_PASSWORD": "pw"},
			"-to", "a@example.com", "-user", "me", "-tls", "none")
		if err != nil {
			t.Errorf("got %v, want the message sent after AUTH", err)
		}
	})
}

func TestAUTHOnlyAsOffered(t *testing.T) {
	tests := []struct{ name, ehlo, want string }{
		{"no AUTH at all", "250 fake", "-user: the server offers no AUTH " +
			"(a server may offer it only after STARTTLS)"},
		{"only mechanisms the client does not speak",
			"250-fake\r\n250 AUTH CRAM-MD5 XOAUTH2", "AUTH: the server offers " +
				`AUTH "CRAM-MD5 XOAUTH2"; this client speaks only PLAIN and LOGIN`},
	}
	for _, tt := range tests {
		t.Run("the client sends no AUTH to a server that offers "+tt.name,
			func(t *testing.T) {
				f := loopback.NewFakeSMTP(t, loopback.SMTPScript{
					Replies: map[string]string{"EHLO": tt.ehlo}})
				_, _, err := runClient(t, f.Addr,
					map[string]string{"SMTP_PASSWORD": "pw"},
					"-to", "a@example.com", "-user", "me", "-tls", "none")
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v, want an error containing %q", err, tt.want)
				}
				noAUTH(t, f)
			})
	}
}

func TestRepliesHideTheCredentials(t *testing.T) {
	// A server may echo the credentials back. Whatever a reply says,
	// the client prints them as <hidden>, in any letter case, in its
	// errors and on stderr, with -v or without.
	const user, password = "me", "hunter2pw"
	plain := b64("\x00" + user + "\x00" + password)
	secrets := []string{password, b64(password), plain, b64(user)}
	login := map[string]string{"EHLO": "250-fake\r\n250 AUTH LOGIN",
		"AUTH LOGIN": "334 VXNlcm5hbWU6", b64(user): "334 UGFzc3dvcmQ6"}
	tests := []struct {
		name    string
		replies map[string]string
	}{
		{"AUTH PLAIN's line and the password, after AUTH PLAIN",
			map[string]string{"EHLO": "250 AUTH PLAIN",
				"AUTH": "535 you sent " + plain + " which is " + password}},
		{"them in other letter cases", map[string]string{"EHLO": "250 AUTH PLAIN",
			"AUTH": "535 " + strings.ToUpper(password) + " " + strings.ToLower(plain)}},
		{"the password in a reply that makes no sense",
			map[string]string{"EHLO": "250 AUTH PLAIN", "AUTH": password + " is wrong"}},
		{"the password in a refusal of a recipient", map[string]string{
			"EHLO": "250 AUTH PLAIN", "AUTH": "235 welcome",
			"RCPT TO:<b@example.com>": "550 " + password}},
		{"AUTH LOGIN's answers", map[string]string{
			"AUTH LOGIN": login["AUTH LOGIN"], b64(user): login[b64(user)],
			"EHLO": login["EHLO"], b64(password): "535 you sent " +
				b64(user) + " and " + b64(password) + ", " + password}},
		{"the password in an AUTH LOGIN question", map[string]string{
			"EHLO": login["EHLO"], "AUTH LOGIN": "334 " + b64(password+":")}},
	}
	for _, tt := range tests {
		for _, v := range []string{"-v", "-v=false"} {
			t.Run("the client hides "+tt.name+", with "+v, func(t *testing.T) {
				f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: tt.replies})
				stdout, stderr, err := runClient(t, f.Addr,
					map[string]string{"SMTP_PASSWORD": password}, "-to",
					"a@example.com, b@example.com", "-user", user, "-tls", "none", v)
				if err == nil {
					t.Fatal("got no error, want one: each case fails")
				}
				out := strings.ToLower(stdout + stderr + err.Error())
				var shown []string
				for _, s := range secrets {
					if strings.Contains(out, strings.ToLower(s)) {
						shown = append(shown, s)
					}
				}
				if shown != nil {
					t.Errorf("the output shows %q, in some letter case:\n%s%s\n%v",
						shown, stdout, stderr, err)
				}
			})
		}
	}
}
