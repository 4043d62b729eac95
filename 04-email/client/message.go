package main

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
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

// message makes the message the flags describe, or says what is wrong.
// A line break in a header value would end the header and start another
// ("Hi\r\nBcc: everyone@example.com"): it is refused in every value.
func (f *flags) message() (*message, error) {
	m := &message{subject: f.subject, body: f.body, attach: f.attach}
	for _, v := range []struct {
		name   string
		values []string
		list   *[]*mail.Address // where the addresses go, if they are
	}{{"-from", []string{f.from}, nil}, {"-subject", []string{f.subject}, nil},
		{"-attach", f.attach, nil}, {"-to", f.to, &m.to}, {"-cc", f.cc, &m.cc},
		{"-bcc", f.bcc, &m.bcc}} {
		for _, value := range v.values {
			err := checkHeaderValue(value)
			if err == nil && v.list != nil {
				var addrs []*mail.Address
				addrs, err = mail.ParseAddressList(value)
				*v.list = append(*v.list, addrs...)
			}
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", v.name, value, err)
			}
		}
	}
	if len(f.subject) > 900 {
		return nil, errors.New("-subject is too long: 900 bytes at most")
	}
	var err error
	if m.from, err = mail.ParseAddress(f.from); err != nil {
		return nil, fmt.Errorf("-from %q: %w", f.from, err)
	}
	if len(m.rcpts()) == 0 {
		return nil, errors.New("no recipients: give -to, -cc or -bcc")
	}
	// The envelope is ASCII unless both sides speak SMTPUTF8. A name may
	// be in any script; an address not.
	for _, a := range append(m.rcpts(), m.from.Address) {
		if strings.ContainsFunc(a, func(r rune) bool { return r > 0x7e }) {
			return nil, fmt.Errorf("address %q is not ASCII: write its domain "+
				"in ASCII (xn--...); other scripts need SMTPUTF8, "+
				"which this client does not speak", a)
		}
	}
	return m, nil
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

// rcpts is the envelope's recipients: everyone the message goes to.
func (m *message) rcpts() []string {
	var to []string
	for _, a := range slices.Concat(m.to, m.cc, m.bcc) {
		to = append(to, a.Address)
	}
	return to
}
