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
				"AUTH CRAM-MD5 XOAUTH2; this client speaks only PLAIN and LOGIN"},
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
