package main

import (
	"crypto/tls"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/synctest"

	"netprog/internal/loopback"
)

// TestHintsForTLS checks the hints for the three ways a learner picks the
// wrong TLS: the wrong -tls for the port, or an address the server's
// certificate does not name.
func TestHintsForTLS(t *testing.T) {
	t.Run("a port that waits for TLS from the start: try -tls implicit",
		func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				pl := loopback.NewPipeListener()
				defer pl.Close()
				go func() {
					conn, err := pl.Accept()
					if err != nil {
						return
					}
					defer conn.Close()
					_, _ = io.Copy(io.Discard, conn) // waits for a ClientHello
				}()
				_, err := sendVia(t, pl)
				if want := "greeting: no answer in time"; err == nil ||
					!strings.Contains(err.Error(), want) {
					t.Errorf("got %v, want an error containing %q", err, want)
				}
				if want := "(the server may be busy, or this port may " +
					"expect -tls implicit)"; err == nil ||
					!strings.Contains(err.Error(), want) {
					t.Errorf("got %v, want the hint %q", err, want)
				}
			})
		})

	t.Run("-tls implicit to a server in plain text: try -tls starttls",
		func(t *testing.T) {
			f := loopback.NewFakeSMTP(t, loopback.SMTPScript{})
			_, _, err := runClient(t, f.Addr, nil, "-to", "a@example.com",
				"-tls", "implicit")
			if want := "(the server does not start with TLS: try -tls starttls)"; err == nil ||
				!strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want an error containing %q", err, want)
			}
		})

	t.Run("a server that takes STARTTLS, then speaks plain text: no such hint",
		func(t *testing.T) {
			f := loopback.NewFakeSMTP(t, loopback.SMTPScript{
				Replies: map[string]string{"EHLO": "250-fake\r\n250 STARTTLS",
					"STARTTLS": "220 go ahead"}})
			_, _, err := runClient(t, f.Addr, nil, "-to", "a@example.com")
			var notTLS tls.RecordHeaderError
			if !errors.As(err, &notTLS) {
				t.Fatalf("got %v, want a tls.RecordHeaderError", err)
			}
			if strings.Contains(err.Error(), "try -tls starttls") {
				t.Errorf("got %q, want no hint to use the -tls it uses", err)
			}
		})

	t.Run("a certificate that does not name the address: use its name",
		func(t *testing.T) {
			cert, certPEM := loopback.Certificate(t, "localhost")
			f := loopback.NewFakeSMTP(t, loopback.SMTPScript{
				TLS: &tls.Config{Certificates: []tls.Certificate{cert}},
				Replies: map[string]string{"EHLO": "250-fake\r\n250 STARTTLS",
					"STARTTLS": "220 go ahead"}})
			_, _, err := runClient(t, f.Addr, nil, "-to", "a@example.com",
				"-ca", writeFile(t, "localhost.pem", certPEM))
			if want := "(use the name in the certificate in -server, e.g. " +
				"localhost)"; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("got %v, want an error containing %q", err, want)
			}
		})
}
