package main

import (
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestPasswordsAreNeverPrinted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := startSink(t, "-user", "alice")
		c := s.dial(t)
		c.play(s.dir, step{"EHLO test", "250-"},
			step{"AUTH PLAIN " + b64("\x00alice\x00wrong-pw"), "535 "},
			step{"AUTH PLAIN " + b64("\x00alice\x00secret"), "235 "})
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		for _, pw := range []string{"secret", "wrong-pw"} {
			if strings.Contains(s.log.String()+s.report.String(), pw) {
				t.Errorf("the output shows the password %q", pw)
			}
		}
		if !strings.Contains(s.log.String(), `AUTH failed for user "alice"`) {
			t.Errorf("the log does not say that AUTH failed for \"alice\"")
		}
		if t.Failed() {
			t.Logf("the log:\n%s", s.log.String())
		}
	})
}

func TestFailedAUTH(t *testing.T) {
	wrong := "AUTH PLAIN " + b64("\x00alice\x00guess")
	t.Run("is answered after two seconds, a right password at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t, "-user", "alice")
			c := s.dial(t)
			c.play(s.dir, step{"EHLO test", "250-"})
			for _, tt := range []struct {
				send, want string
				wait       time.Duration
			}{
				{wrong, "535 ", 2 * time.Second},
				{"AUTH LOGIN " + b64("alice"), "334 ", 0},
				{b64("guess"), "535 ", 2 * time.Second},
				{"AUTH PLAIN " + b64("\x00alice\x00secret"), "235 ", 0},
			} {
				start := time.Now()
				c.play(s.dir, step{tt.send, tt.want})
				if waited := time.Since(start); waited != tt.wait {
					t.Errorf("%.30q got its %q reply after %v, want after %v",
						tt.send, strings.TrimSpace(tt.want), waited, tt.wait)
				}
			}
		})
	})

	t.Run("three times ends the session", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t, "-user", "alice")
			c := s.dial(t)
			start := time.Now()
			c.play(s.dir, step{"EHLO test", "250-"},
				step{wrong, "535 "}, step{wrong, "535 "}, step{wrong, "535 "})
			if got := c.readReply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			c.expectEOF()
			// Three tries take six seconds: a guesser gets half a
			// try a second on a connection.
			if waited := time.Since(start); waited != 6*time.Second {
				t.Errorf("three tries took %v, want 6s", waited)
			}
		})
	})

	t.Run("a user name that is not printable is quoted in the log", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t, "-user", "alice")
			s.dial(t).play(s.dir, step{"EHLO test", "250-"},
				step{"AUTH PLAIN " + b64("\x00\x1b[2Jalice\x00x"), "535 "})
			if want := `AUTH failed for user "\x1b[2Jalice"`; !strings.Contains(s.log.String(), want) {
				t.Errorf("got log %q, want %q in it", s.log.String(), want)
			}
		})
	})
}

func TestAUTHNeedsTLSOrThisMachine(t *testing.T) {
	good := "AUTH PLAIN " + b64("\x00alice\x00secret")
	tests := []struct {
		name  string
		args  []string
		far   bool // the client is on another machine
		steps []step
	}{
		{"a client on this machine may log in without TLS",
			[]string{"-user", "alice"}, false, []step{
				{"EHLO test", "250-"}, {good, "235 "}}},
		{"a client elsewhere gets 538 without TLS, and cannot send",
			[]string{"-user", "alice"}, true, []step{
				{"EHLO test", "250-"}, {good, "538 "},
				{"MAIL FROM:<a@example.com>", "530 "}}},
		{"a client elsewhere gets 530 before STARTTLS, and logs in after",
			[]string{"-tls", "-user", "alice"}, true, []step{
				{"EHLO test", "250-"}, {good, "530 "}, {"STARTTLS", "220 "},
				{"EHLO test", "250-"}, {good, "235 "},
				{"MAIL FROM:<a@example.com>", "250 "}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var wrap func(net.Conn) net.Conn
				if tt.far {
					wrap = fromFar
				}
				s := startSinkOn(t, wrap, tt.args...)
				s.dial(t).play(s.dir, tt.steps...)
			})
		})
	}

	t.Run("EHLO offers AUTH to a client elsewhere only after STARTTLS", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			for _, args := range [][]string{{"-user", "alice"}, {"-tls", "-user", "alice"}} {
				s := startSinkOn(t, fromFar, args...)
				if got := s.dial(t).send("EHLO test"); strings.Contains(got, "AUTH") {
					t.Errorf("%q: got %q, want no AUTH", args, got)
				}
			}
		})
	})
}

func TestWarningForAUTHWithoutTLS(t *testing.T) {
	tests := []struct {
		addr  string
		tls   bool
		warns bool
	}{
		{"127.0.0.1:1025", false, false},
		{"[::1]:1025", false, false},
		{"0.0.0.0:1025", false, true},
		{"[::]:1025", false, true},
		{"192.168.1.5:1025", false, true},
		{"0.0.0.0:1025", true, false},
	}
	for _, tt := range tests {
		addr, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		cfg := &config{user: "alice"}
		if tt.tls {
			cfg.tlsConfig = &tls.Config{}
		}
		got := authWarning(cfg, addr)
		if warns := got != ""; warns != tt.warns {
			t.Errorf("-user on %s, -tls %v: got %q, want a warning: %v",
				tt.addr, tt.tls, got, tt.warns)
		}
	}
	if got := authWarning(&config{}, &net.TCPAddr{IP: net.IPv4zero}); got != "" {
		t.Errorf("without -user: got %q, want no warning", got)
	}
	p, _ := startServer(t, password, "-user", "alice")
	if strings.Contains(p.Stderr(), "warning") {
		t.Errorf("-user on %s: got stderr %q, want no warning", p.Addr, p.Stderr())
	}
}
