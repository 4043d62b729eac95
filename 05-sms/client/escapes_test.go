package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"netprog/internal/loopback"
)

// rawGateway is a gateway that reads one request and answers it with
// response, byte for byte: a status line no http.Server would write.
func rawGateway(tb testing.TB, response string) string {
	tb.Helper()
	addr := loopback.Serve(tb, func(conn net.Conn) {
		// The client is the well-behaved side here: seconds.
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // shows in the read
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return // the client's test reports what it got
		}
		_, _ = io.Copy(io.Discard, req.Body)
		_, _ = io.WriteString(conn, response) // the client's test checks it
	})
	return "http://" + addr + "/webservice/sms.php?method=Submit"
}

// checkEscaped fails the test if out, but for its line end, holds a
// character that drives the terminal, or lacks want, the escaped form of
// what the gateway sent; then it shows out once. It reports whether out
// passed.
func checkEscaped(tb testing.TB, out, want string) bool {
	tb.Helper()
	line := strings.TrimSuffix(out, "\n")
	drives := func(r rune) bool { return !strconv.IsPrint(r) }
	ok := true
	if strings.ContainsFunc(line, drives) {
		tb.Error("a control character is printed as it is, want it escaped")
		ok = false
	}
	if !strings.Contains(out, want) {
		tb.Errorf("want %s in what is printed", want)
		ok = false
	}
	if !ok {
		tb.Logf("printed (quoted here): %q", out)
	}
	return ok
}

// A gateway, or anyone on the way to it, decides every byte of its
// answer. Printed as it is, ESC [2J clears the screen, ESC [1;32m turns
// the text green and \r goes back to the start of the line: an answer
// that failed could show itself as a success.
func TestTerminalEscapes(t *testing.T) {
	t.Run("a status line with escapes is shown escaped", func(t *testing.T) {
		status := "503 \x1b[2J\x1b[1;32msent to 138****5678, smsid OK\x1b[0m\rFAKE"
		url := rawGateway(t, "HTTP/1.1 "+status+"\r\n"+
			"Content-Length: 0\r\nConnection: close\r\n\r\n")
		stdout, _, err := sendSMS(t, url, env, "-mobile", "13812345678")
		if err == nil || stdout != "" {
			t.Fatalf("got %q, %s; want an error, nothing printed",
				stdout, errText(err))
		}
		want := `the gateway answered "503 \x1b[2J\x1b[1;32m` +
			`sent to 138****5678, smsid OK\x1b[0m\rFAKE"`
		if checkEscaped(t, err.Error(), want) &&
			!strings.HasSuffix(err.Error(), want) {
			t.Errorf("got %s, want it to end with the status", errText(err))
		}
	})

	answers := []struct {
		name, ctype, reply string
		stdout             bool // what is shown goes to stdout, not the error
		want               string
	}{
		{"an escape in the msg of a JSON answer is shown escaped",
			"application/json",
			`{"code":405,"msg":"\u001b[2J\u001b[1;32msent\u001b[0m\rOK",` +
				`"smsid":"0"}`,
			false, `code 405: "\x1b[2J\x1b[1;32msent\x1b[0m\rOK"`},
		{"an escape in the smsid of a JSON answer is shown escaped",
			"application/json",
			`{"code":2,"msg":"ok","smsid":"1\u001b[2K\rsent to 139****0000"}`,
			true, `smsid "1\x1b[2K\rsent to 139****0000"`},
		{"a carriage return in the msg of an XML answer is shown escaped",
			"text/xml",
			`<SubmitResult><code>405</code><msg>no&#13;sent</msg></SubmitResult>`,
			false, `code 405: "no\rsent"`},
		{"a carriage return in a code is shown escaped", "text/xml",
			`<SubmitResult><code>2&#13;OK</code></SubmitResult>`, false,
			`code "2\rOK" is not a number`},
		{"a control character in an XML name is shown escaped", "text/xml",
			"<SubmitResult\u009b[2J>", false,
			`invalid XML name: SubmitResult\u009b`},
		{"an answer that is neither JSON nor XML is shown escaped",
			"text/plain", "\x1b[2Jsent", false, `nor XML: "\x1b[2Jsent"`},
	}
	for _, tc := range answers {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeGateway(t, http.StatusOK, tc.ctype, tc.reply)
			stdout, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678")
			switch {
			case tc.stdout && err != nil:
				t.Fatalf("got %s, want it sent", errText(err))
			case tc.stdout:
				checkEscaped(t, stdout, tc.want)
			case err == nil:
				t.Fatalf("got %q and no error, want an error", stdout)
			default:
				checkEscaped(t, err.Error(), tc.want)
			}
		})
	}
}

// A certificate's names come from the server too, and the error that
// refuses a certificate for another name lists them.
func TestCertificateNamesAreQuoted(t *testing.T) {
	_, err := refusedCertificate(t, false)
	if err == nil {
		t.Fatal("got no error, want the certificate refused")
	}
	checkEscaped(t, err.Error(), `\x1b[2J\x1b[1;32msent to 138****5678`)
	var certErr *tls.CertificateVerificationError
	if !errors.As(err, &certErr) {
		t.Errorf("got %s, want it to wrap a *tls.CertificateVerificationError",
			errText(err))
	}
}

// refusedCertificate sends, with -v if verbose, through a gateway whose
// certificate is for a name full of escapes, and returns what the client
// printed on stderr and its error. The client trusts that certificate,
// so that it is refused for its names on every system: with no roots
// given, Windows and macOS ask the system, which refuses it as "signed
// by unknown authority" and names no name.
func refusedCertificate(t *testing.T, verbose bool) (string, error) {
	t.Helper()
	name := "\x1b[2J\x1b[1;32msent to 138****5678, smsid OK\x1b[0m\rFAKE"
	cert, pemCert := loopback.Certificate(t, name)
	addr := loopback.Serve(t, func(conn net.Conn) {
		c := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{cert}})
		// The client is the well-behaved side here: seconds.
		_ = c.SetDeadline(time.Now().Add(10 * time.Second)) // shows in the handshake
		_ = c.Handshake()                                   // fails: the client refuses the certificate
	})
	// By name: the client checks the certificate against the name.
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("got %s, want no error", errText(err))
	}
	gateway := "https://localhost:" + port + "/webservice/sms.php?method=Submit"
	cfg, err := parseFlags([]string{"-gateway", gateway, "-mobile", "13812345678"},
		func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatalf("got %s, want no error", errText(err))
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemCert)
	var stderr strings.Builder
	client := newClient(cfg.timeout)
	client.Transport = &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots}}
	if verbose {
		client.Transport = tapTransport(client.Transport,
			log.New(&stderr, "", 0), "password")
	}
	err = cfg.send(t.Context(), client, io.Discard)
	return stderr.String(), err
}
