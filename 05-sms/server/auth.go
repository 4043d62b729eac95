package main

import (
	"crypto/subtle"
	"net/url"
	"strconv"
	"time"
)

// passwordMaxAge is how long a dynamic password is good for, either side
// of its time: a copy cannot be replayed for long.
const passwordMaxAge = 10 * time.Minute

// authorized reports whether the form's account and password are right.
//
// The password is either the API key itself, or, so that the key never
// travels in clear, a signature (sign.go) of the message with the time
// field in it. Someone who overhears it cannot send anything else with
// it, nor, after a while, the same message again.
func (g *gateway) authorized(form url.Values) bool {
	if form.Get("account") != g.account {
		return false
	}
	// subtle.ConstantTimeCompare takes as long whatever the first
	// differing byte, so the time to answer tells nothing of the key.
	password := []byte(form.Get("password"))
	if subtle.ConstantTimeCompare(password, []byte(g.key)) == 1 {
		return true
	}
	sec, ok := unixTime(form.Get("time"))
	age := g.now().Sub(time.Unix(sec, 0))
	if !ok || age.Abs() > passwordMaxAge {
		return false
	}
	want := []byte(signature(g.key, form)) // the account is g.account
	return subtle.ConstantTimeCompare(password, want) == 1
}

// unixTime reads the time field of a dynamic password, seconds since
// 1970, and accepts it only in the one form the client writes it in:
// what strconv.FormatInt gives back. strconv.ParseInt alone would also
// take "01795600000" and "+1795600000", which is what lets a signed
// content lose its last digits to the time.
func unixTime(s string) (int64, bool) {
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil || sec < 0 || strconv.FormatInt(sec, 10) != s {
		return 0, false
	}
	return sec, true
}
