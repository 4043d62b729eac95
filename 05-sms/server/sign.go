// This file is the same in 05-sms/client and 05-sms/server; a test keeps the
// copies identical.

package main

import (
	"crypto/md5"
	"encoding/hex"
	"net/url"
)

// signature is the dynamic password of a form: md5(account + key +
// mobile + content + time), the form's fields and the key, in lowercase
// hex, with time the Unix time in seconds. Only the client and the
// gateway know the key, so only they can make it, and it is good for
// this one message, for 10 minutes either side of time.
//
// The fields are joined with nothing between them, so the signature
// covers the bytes, not where one field ends and the next begins: each
// field must have one form that fixes its length, or a digit could move
// from the content to the time. The account and the key are the
// gateway's, a number's first byte gives its length (normalizeMobile),
// and the time is only ever written as strconv.FormatInt writes it. A
// new design would sign a canonical encoding of the whole form with
// HMAC-SHA256.
func signature(key string, form url.Values) string {
	sum := md5.Sum([]byte(form.Get("account") + key + form.Get("mobile") +
		form.Get("content") + form.Get("time")))
	return hex.EncodeToString(sum[:])
}
