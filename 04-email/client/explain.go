package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/textproto"
)

// isReply says whether err is the server's answer (a code and a text),
// rather than trouble with the connection.
func isReply(err error) bool {
	var tpErr *textproto.Error
	return errors.As(err, &tpErr)
}

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

// replyText is the server's reply in err, as "550 no such user". Its text
// comes from the network, so it goes through quote.
func replyText(err error) string {
	var tpErr *textproto.Error
	if !errors.As(err, &tpErr) {
		return quote(err.Error())
	}
	return fmt.Sprintf("%d %s", tpErr.Code, quote(tpErr.Msg))
}

// explain names the step that failed and adds a hint where one helps.
func explain(step string, err error) error {
	var tpErr *textproto.Error
	if errors.As(err, &tpErr) {
		err = fmt.Errorf("%s: the server said %s", step, replyText(err))
		if hint, ok := hints[tpErr.Code]; ok {
			err = fmt.Errorf("%w (%s)", err, hint)
		}
		return err
	}
	var unknownCA x509.UnknownAuthorityError
	var badName x509.HostnameError
	var notTLS tls.RecordHeaderError
	hint := ""
	switch {
	case errors.As(err, &unknownCA):
		hint = "if the server's certificate is your own, as the local " +
			"server's is, trust it with -ca FILE"
	case errors.As(err, &badName):
		hint = "use the name in the certificate in -server, e.g. localhost"
	case errors.As(err, &notTLS) && step != "STARTTLS":
		hint = "the server does not start with TLS: try -tls starttls"
	case timedOut(err):
		return fmt.Errorf("%s: no answer in time: %w", step, err)
	case refused(err):
		hint = "is the server running? go run ./04-email/server"
	default:
		return fmt.Errorf("%s: %w", step, netError{err})
	}
	return fmt.Errorf("%s: %w (%s)", step, netError{err}, hint)
}
