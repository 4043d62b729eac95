// This file is the same in 03-image-download/client and 05-sms/client; a
// test keeps the copies identical.

package main

import (
	"crypto/tls"
	"errors"
	"net/url"
)

// requestError makes an error of http.Client.Do fit to print: without
// the URL it repeats (it may hold a key), quoted if it holds what the
// server sent (a certificate's names may hold escape sequences).
func requestError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return netError{err}
	}
	return err
}
