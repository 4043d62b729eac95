package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/textproto"
	"strconv"
	"strings"
)

// hints says what a reply code most likely means for the sender.
var hints = map[int]string{
	421: "the server is closing the connection: the message was not sent",
	530: "the server wants STARTTLS or a login first: check -tls and -user",
	535: "most providers want an app password or authorization code here, " +
		"not the login password",
	550: "the address was refused: check it",
	552: "the message is too large for the server",
	554: "the server refused the transaction",
}

// explain adds to err, from send, what a learner can do about it: a hint
// for the replies a sender meets most, and for the wrong TLS. errors.Is
// and errors.As still see the error inside.
func (cfg *config) explain(err error) error {
	var tpErr *textproto.Error
	var unknownCA x509.UnknownAuthorityError
	var badName x509.HostnameError
	var notTLS tls.RecordHeaderError
	var cert *tls.CertificateVerificationError
	var netErr net.Error
	text, hint := err.Error(), ""
	switch {
	case errors.As(err, &tpErr):
		hint = hints[tpErr.Code]
	case errors.As(err, &unknownCA):
		hint = "if the server's certificate is your own, as the local " +
			"server's is, trust it with -ca FILE"
	case errors.As(err, &badName):
		hint = "use the name in the certificate in -server, e.g. localhost"
	case errors.As(err, &notTLS) && cfg.s.tlsMode == "implicit":
		hint = "the server does not start with TLS: try -tls starttls"
	case timedOut(err) && errors.As(err, &netErr):
		text = strings.Replace(text, netErr.Error(),
			"no answer in time: "+netErr.Error(), 1)
		if strings.HasPrefix(text, "greeting:") && cfg.s.tlsMode != "implicit" {
			// A port 465 waits in silence for the client's TLS.
			hint = "the server may be busy, or this port may expect -tls implicit"
		}
	case refused(err):
		hint = "is the server running? go run ./04-email/server"
	}
	if errors.As(err, &cert) { // it holds names from the certificate
		text = strings.Replace(text, cert.Error(), strconv.Quote(cert.Error()), 1)
	}
	if hint != "" {
		text += " (" + hint + ")"
	}
	return &explained{text, err}
}

// explained is an error with a text of explain's.
type explained struct {
	text string
	err  error
}

func (e *explained) Error() string { return e.text }
func (e *explained) Unwrap() error { return e.err }
