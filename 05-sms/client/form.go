package main

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"time"
)

// verificationMessage is the text sent when -content is not given: a
// verification message with a fresh code.
func verificationMessage() (string, error) {
	code, err := randomCode()
	if err != nil {
		return "", err
	}
	return "Your verification code is: " + code +
		". Please do not disclose the verification code to others.", nil
}

// randomCode returns 6 random digits from crypto/rand: a verification code
// must not be guessable, as the tutorial's fixed 147258 is.
func randomCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n), nil
}

// buildForm makes the form to post. The gateway accepts the API key
// itself as the password, but over plain HTTP anyone on the way could
// read it and send messages on your account. The dynamic password is a
// signature instead (sign.go): md5(account + key + mobile + content +
// time). It proves the sender knows the key without sending it, and, with
// the time, is good for a few minutes only.
func buildForm(account, key, mobile, content string, now time.Time,
	plainKey bool) url.Values {
	form := url.Values{
		"account": {account},
		"mobile":  {mobile},
		"content": {content},
		"format":  {"json"},
	}
	if plainKey {
		form.Set("password", key)
		return form
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	form.Set("time", ts)
	form.Set("password", signature(account, key, mobile, content, ts))
	return form
}
