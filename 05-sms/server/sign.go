package main

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"strconv"
	"time"
)

// authorised reports whether the form's account and password are right.
//
// The password is either the API key itself, or, so that the key never
// travels in clear, a signature: md5(account + key + mobile + content +
// time) in lowercase hex, with time the Unix time in seconds, sent as the
// field time. Only the gateway and the client know the key, so only they
// can make the signature, and it is only good for this one message and
// for 10 minutes either side of time: someone who overhears it cannot
// send anything else with it, nor, after a while, the same message again.
func (g *gateway) authorised(form url.Values) bool {
	if form.Get("account") != g.account {
		return false
	}
	// subtle.ConstantTimeCompare takes as long whatever the first
	// differing byte, so the time to answer tells nothing of the key.
	password := []byte(form.Get("password"))
	if subtle.ConstantTimeCompare(password, []byte(g.key)) == 1 {
		return true
	}
	sec, err := strconv.ParseInt(form.Get("time"), 10, 64)
	if err != nil {
		return false
	}
	age := g.now().Sub(time.Unix(sec, 0))
	if age > passwordMaxAge || age < -passwordMaxAge {
		return false
	}
	want := []byte(signature(g.account, g.key, form.Get("mobile"),
		form.Get("content"), form.Get("time")))
	return subtle.ConstantTimeCompare(password, want) == 1
}

// signature is the dynamic password: md5 over the fields joined with
// nothing between them, in lowercase hex.
func signature(account, key, mobile, content, time string) string {
	sum := md5.Sum([]byte(account + key + mobile + content + time))
	return hex.EncodeToString(sum[:])
}
