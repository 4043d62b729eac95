package loopback

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// SMTPScript is what a FakeSMTP server says. Replies are looked up by the
// client's whole command line first ("RCPT TO:<bad@example.com>"), then by
// its verb ("RCPT"); a command found in neither gets "250 OK". A reply may
// have several lines, separated by "\r\n". Two replies are actions:
// Stall sends nothing more (the client must time out), Drop closes the
// connection.
type SMTPScript struct {
	Greeting string            // default "220 fake ESMTP"
	Replies  map[string]string // see above; "." is the reply to the data
	TLS      *tls.Config       // if set, a 220 reply to STARTTLS starts TLS
	// DropInData closes the connection after the first line of data.
	DropInData bool
	// DiscardData throws each message's data away, recording "" for
	// it: for benchmarks, where keeping it would cost more than sending.
	DiscardData bool
}

// The two actions a reply can be.
const (
	Stall = "<stall>"
	Drop  = "<drop>"
)

// FakeSMTP is a scripted SMTP server on a loopback port. It records the
// commands it is sent, and each message's data.
type FakeSMTP struct {
	Addr string

	script   SMTPScript
	mu       sync.Mutex
	commands []string
	messages []string
}

// NewFakeSMTP starts a fake SMTP server that follows script. It stops
// when the test ends.
func NewFakeSMTP(tb testing.TB, script SMTPScript) *FakeSMTP {
	tb.Helper()
	if script.Greeting == "" {
		script.Greeting = "220 fake ESMTP"
	}
	f := &FakeSMTP{script: script}
	f.Addr = Serve(tb, f.session)
	return f
}

// Commands returns the command lines received so far, in order.
func (f *FakeSMTP) Commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.commands...)
}

// Messages returns the data of each message received so far, with the
// dot-stuffing undone and CRLF line endings.
func (f *FakeSMTP) Messages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.messages...)
}

func (f *FakeSMTP) session(conn net.Conn) {
	r := bufio.NewReader(conn)
	if !f.reply(conn, f.script.Greeting) {
		return
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return // the client hung up
		}
		line = strings.TrimRight(line, "\r\n")
		f.mu.Lock()
		f.commands = append(f.commands, line)
		f.mu.Unlock()

		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		reply := f.replyTo(line, verb)
		if !f.reply(conn, reply) {
			return
		}
		switch {
		case verb == "DATA" && strings.HasPrefix(reply, "354"):
			if !f.receive(conn, r) {
				return
			}
		case verb == "STARTTLS" && strings.HasPrefix(reply, "220") &&
			f.script.TLS != nil:
			tlsConn := tls.Server(conn, f.script.TLS)
			if err := tlsConn.Handshake(); err != nil {
				return
			}
			conn, r = tlsConn, bufio.NewReader(tlsConn)
		case verb == "QUIT":
			return
		}
	}
}

// replyTo looks up the script's reply to a command line, or its verb's.
func (f *FakeSMTP) replyTo(line, verb string) string {
	if reply, ok := f.script.Replies[line]; ok {
		return reply
	}
	if reply, ok := f.script.Replies[verb]; ok {
		return reply
	}
	switch verb {
	case "DATA":
		return "354 go ahead"
	case "QUIT":
		return "221 bye"
	}
	return "250 OK"
}

// receive reads a message's data, records it and replies to it; it
// reports whether to go on.
func (f *FakeSMTP) receive(conn net.Conn, r *bufio.Reader) bool {
	data, ok := f.readData(r)
	if !ok {
		_ = conn.Close() // DropInData: hang up mid-message
		return false
	}
	f.mu.Lock()
	f.messages = append(f.messages, data)
	f.mu.Unlock()
	end, ok := f.script.Replies["."]
	if !ok {
		end = "250 OK: queued"
	}
	return f.reply(conn, end)
}

// reply sends reply, or acts on it; it reports whether to go on.
func (f *FakeSMTP) reply(conn net.Conn, reply string) bool {
	switch reply {
	case Stall:
		_, _ = io.Copy(io.Discard, conn) // until the client gives up
		return false
	case Drop:
		return false // Serve closes the connection
	}
	_, err := io.WriteString(conn, reply+"\r\n")
	return err == nil
}

// readData reads a message up to the line ".", undoing dot-stuffing.
func (f *FakeSMTP) readData(r *bufio.Reader) (string, bool) {
	var b strings.Builder
	lineStart := true
	for lines := 0; ; {
		// A piece of a line, or a whole one; no copy, which is cheap
		// when discarding.
		piece, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			err = nil // a long line: take it in pieces
		}
		if err != nil || (f.script.DropInData && lines == 1) {
			return "", false
		}
		if lineStart {
			if string(piece) == ".\r\n" {
				return b.String(), true
			}
			piece = bytes.TrimPrefix(piece, []byte("."))
		}
		lineStart = bytes.HasSuffix(piece, []byte("\n"))
		if lineStart {
			lines++
		}
		if !f.script.DiscardData {
			b.Write(piece)
		}
	}
}

// TLSConfig returns a server configuration with a new self-signed
// certificate for 127.0.0.1, ::1 and localhost, and the certificate in PEM
// form, for a client to trust.
func TLSConfig(tb testing.TB) (*tls.Config, []byte) {
	tb.Helper()
	cert, pemCert := Certificate(tb, "localhost", "127.0.0.1", "::1")
	return &tls.Config{Certificates: []tls.Certificate{cert}}, pemCert
}

// Certificate returns a new self-signed certificate for the given host
// names and IP addresses, whatever they hold (a test may give a name full
// of escape sequences, as a hostile server could), and the certificate in
// PEM form, for a client to trust.
func Certificate(tb testing.TB, names ...string) (tls.Certificate, []byte) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, name := range names {
		if ip := net.ParseIP(name); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, name)
		}
	}
	if len(names) > 0 {
		tmpl.Subject = pkix.Name{CommonName: names[0]}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
