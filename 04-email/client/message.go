package main

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// message is what to send, checked: every address parsed, every header
// value free of line breaks.
type message struct {
	from        *mail.Address
	to, cc, bcc []*mail.Address
	subject     string
	body        string
	attach      []string // paths of files to attach
}

// newMessage parses the addresses and checks the header values.
func newMessage(from string, to, cc, bcc []string, subject string,
	attach []string) (*message, error) {
	if err := checkHeaderValues(from, to, cc, bcc, subject, attach); err != nil {
		return nil, err
	}
	if len(subject) > 900 {
		return nil, errors.New("-subject is too long: 900 bytes at most")
	}
	m := &message{subject: subject, attach: attach}
	var err error
	if m.from, err = mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("-from %q: %w", from, err)
	}
	if m.to, err = parseAddresses("-to", to); err != nil {
		return nil, err
	}
	if m.cc, err = parseAddresses("-cc", cc); err != nil {
		return nil, err
	}
	if m.bcc, err = parseAddresses("-bcc", bcc); err != nil {
		return nil, err
	}
	if len(m.rcpts()) == 0 {
		return nil, errors.New("no recipients: give -to, -cc or -bcc")
	}
	// The envelope is ASCII unless both sides speak SMTPUTF8, which
	// net/smtp does not. A name may be in any script; an address not.
	for _, a := range append(m.rcpts(), m.from.Address) {
		if strings.ContainsFunc(a, func(r rune) bool { return r > 0x7e }) {
			return nil, fmt.Errorf("address %q is not ASCII: write its domain "+
				"in ASCII (xn--...); other scripts need SMTPUTF8, "+
				"which this client does not speak", a)
		}
	}
	return m, nil
}

// parseAddresses parses the values of the flag named flag, each a list of
// addresses separated by commas.
func parseAddresses(flag string, values []string) ([]*mail.Address, error) {
	var list []*mail.Address
	for _, v := range values {
		addrs, err := mail.ParseAddressList(v)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", flag, v, err)
		}
		list = append(list, addrs...)
	}
	return list, nil
}

// checkHeaderValues checks every value that ends up in a header. A line
// break in one would end the header and start another: "Hi\r\nBcc:
// everyone@example.com". Refuse it, whatever the value.
func checkHeaderValues(from string, to, cc, bcc []string, subject string,
	attach []string) error {
	for _, f := range []struct {
		name   string
		values []string
	}{{"-from", []string{from}}, {"-subject", []string{subject}}, {"-to", to},
		{"-cc", cc}, {"-bcc", bcc}, {"-attach", attach}} {
		for _, v := range f.values {
			if err := checkHeaderValue(v); err != nil {
				return fmt.Errorf("%s %q: %w", f.name, v, err)
			}
		}
	}
	return nil
}

// checkHeaderValue refuses a value that holds a line break or another
// control character, which could end the header it is put in.
func checkHeaderValue(v string) error {
	for _, r := range v {
		if r == '\r' || r == '\n' {
			return errors.New("holds a line break: refused, " +
				"since it could add headers of its own")
		}
		if r < ' ' && r != '\t' || r == 0x7f {
			return errors.New("holds a control character")
		}
	}
	return nil
}

// rcpts is the address of everyone the message goes to: the envelope's
// recipients.
func (m *message) rcpts() []string {
	var to []string
	for _, a := range append(append(append([]*mail.Address(nil), m.to...),
		m.cc...), m.bcc...) {
		to = append(to, a.Address)
	}
	return to
}
