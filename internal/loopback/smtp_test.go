package loopback

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/smtp"
	"net/textproto"
	"slices"
	"testing"
)

func TestFakeSMTP(t *testing.T) {
	t.Run("records the commands and the message", func(t *testing.T) {
		f := NewFakeSMTP(t, SMTPScript{})
		err := smtp.SendMail(f.Addr, nil, "a@example.com",
			[]string{"b@example.com"}, []byte("Subject: hi\r\n\r\n.dot\r\nbody\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"EHLO localhost", "MAIL FROM:<a@example.com>",
			"RCPT TO:<b@example.com>", "DATA", "QUIT"}
		if got := f.Commands(); !slices.Equal(got, want) {
			t.Errorf("got commands %q, want %q", got, want)
		}
		want = []string{"Subject: hi\r\n\r\n.dot\r\nbody\r\n"}
		if got := f.Messages(); !slices.Equal(got, want) {
			t.Errorf("got messages %q, want %q", got, want)
		}
	})

	t.Run("answers a command line before its verb", func(t *testing.T) {
		f := NewFakeSMTP(t, SMTPScript{Replies: map[string]string{
			"RCPT TO:<bad@example.com>": "550 no such user",
			"RCPT":                      "250 fine",
		}})
		c, err := smtp.Dial(f.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Mail("a@example.com"); err != nil {
			t.Fatal(err)
		}
		var tpErr *textproto.Error
		if err := c.Rcpt("bad@example.com"); !errors.As(err, &tpErr) || tpErr.Code != 550 {
			t.Errorf("RCPT bad: got %v, want 550", err)
		}
		if err := c.Rcpt("good@example.com"); err != nil {
			t.Errorf("RCPT good: got %v, want 250", err)
		}
	})

	t.Run("starts TLS after a 220 to STARTTLS", func(t *testing.T) {
		cfg, certPEM := TLSConfig(t)
		f := NewFakeSMTP(t, SMTPScript{TLS: cfg, Replies: map[string]string{
			"EHLO":     "250-fake\r\n250 STARTTLS",
			"STARTTLS": "220 go ahead",
		}})
		c, err := smtp.Dial(f.Addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(certPEM)
		if err := c.StartTLS(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
		if _, ok := c.TLSConnectionState(); !ok {
			t.Error("the connection is not TLS after STARTTLS")
		}
		if err := c.Noop(); err != nil {
			t.Errorf("NOOP over TLS: %v", err)
		}
	})
}
