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
	sec, ok := unixTime(form.Get("time"))
	if !ok {
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
//
// Nothing between them means that the signature covers the bytes, not
// where one field ends and the next begins. "Your code is 123450" with
// time 1795600000 and "Your code is 12345" with time 01795600000 are the
// same bytes, so they have the same signature. Each field must therefore
// have a single form that fixes its length, or the gateway would deliver
// a text nobody signed:
//
//   - account must be the gateway's account exactly, and the key is the
//     gateway's: their lengths are known.
//   - mobile, if it is a number at all, has a length its first byte
//     gives: 11 from "1", 13 from "86", 14 from "+86" (see normalise).
//   - content is free text: every field around it must be fixed.
//   - time must be in its canonical form (unixTime): digits only, no
//     leading zero, no sign. Within 10 minutes of now, that is 10 digits
//     until the year 2286.
//
// A new design would sign fields with separators or lengths between them
// (or a canonical encoding of the whole form) and use HMAC-SHA256.
func signature(account, key, mobile, content, time string) string {
	sum := md5.Sum([]byte(account + key + mobile + content + time))
	return hex.EncodeToString(sum[:])
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
