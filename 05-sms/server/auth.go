package main

import (
	"crypto/subtle"
	"net/url"
	"strconv"
	"time"
)

// passwordMaxAge is how long, either side of its time, a signature is
// good for: a copy cannot be replayed for long.
const passwordMaxAge = 10 * time.Minute

// authorized reports whether the form's account and password are right.
// The password is the API key itself, or, so that the key never travels,
// a signature (sign.go) of the message and the time field: who overhears
// it can send nothing else with it, nor, after a while, the same again.
func (g *gateway) authorized(form url.Values) bool {
	if form.Get("account") != g.account {
		return false
	}
	// ConstantTimeCompare takes as long whatever the first differing
	// byte: the time to answer tells nothing of the key.
	password := []byte(form.Get("password"))
	if subtle.ConstantTimeCompare(password, []byte(g.key)) == 1 {
		return true
	}
	sec, ok := unixTime(form.Get("time"))
	if !ok || g.now().Sub(time.Unix(sec, 0)).Abs() > passwordMaxAge {
		return false
	}
	want := []byte(signature(g.key, form)) // the account is g.account
	return subtle.ConstantTimeCompare(password, want) == 1
}

// unixTime reads a signature's time field, seconds since 1970, only in
// the form the client writes it, strconv.FormatInt's: ParseInt alone
// would take "01795600000" or "+1795600000", which lets a signed content
// lose its last digits to the time.
func unixTime(s string) (int64, bool) {
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil || sec < 0 || strconv.FormatInt(sec, 10) != s {
		return 0, false
	}
	return sec, true
}
