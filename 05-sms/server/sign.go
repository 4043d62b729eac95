// This file is the same in both programs of the chapter: 05-sms/client
// and 05-sms/server. A test keeps the copies identical.

package main

import (
	"crypto/md5"
	"encoding/hex"
)

// signature is the dynamic password: md5(account + key + mobile +
// content + time) in lowercase hex, with time the Unix time in seconds.
// The client sends it instead of the key: only the client and the gateway
// know the key, so only they can make it, and it is good for this one
// message, for 10 minutes either side of time.
//
// The fields are joined with nothing between them, so the signature
// covers the bytes, not where one field ends and the next begins. "Your
// code is 123450" with time 1795600000 and "Your code is 12345" with time
// 01795600000 are the same bytes, so they have the same signature. Each
// field must therefore have a single form that fixes its length, or the
// gateway would deliver a text nobody signed:
//
//   - account must be the gateway's account exactly, and the key is the
//     gateway's: their lengths are known.
//   - mobile, if it is a number at all, has a length its first byte
//     gives: 11 from "1", 13 from "86", 14 from "+86" (normalizeMobile).
//   - content is free text: every field around it must be fixed.
//   - time is written as strconv.FormatInt writes it: digits only, no
//     leading zero, no sign. The gateway takes no other form. Within 10
//     minutes of now, that is 10 digits until the year 2286.
//
// A new design would sign fields with separators or lengths between them
// (or a canonical encoding of the whole form) and use HMAC-SHA256.
func signature(account, key, mobile, content, time string) string {
	sum := md5.Sum([]byte(account + key + mobile + content + time))
	return hex.EncodeToString(sum[:])
}
