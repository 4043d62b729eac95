// Tests of hide.go, the same file in 03-image-download/client and
// 05-sms/client; a test keeps the copies identical.

package main

import (
	"errors"
	"io"
	"testing"
)

func TestHider(t *testing.T) {
	// A server may echo the secret in any case and any escaping; the
	// rest of the text stays as it is.
	h := newHider("s3cr3t/K+y&z=1", "password")
	for in, want := range map[string]string{
		"key s3cr3t/K+y&z=1 is wrong":         "key <hidden> is wrong",
		"KEY S3CR3T/K+Y&Z=1":                  "KEY <hidden>",
		"s3cr3t%2fk%2by%26z%3d1":              "<hidden>",
		"s3cr3t%2FK+y&z=1":                    "<hidden>",
		"s3cr3t/K+y&amp;z=1":                  "<hidden>",
		`{"msg":"s3cr3t/K+y\u0026z=1"}`:       `{"msg":"<hidden>"}`,
		`{"msg":"s3cr3t\/K+y&z=1"}`:           `{"msg":"<hidden>"}`,
		"Password=6f1ed002ab5595859014ebf095": "Password=<hidden>",
		`C: "a=1&password=6f1ed0"`:            `C: "a=1&password=<hidden>"`,
		"saved demo/1.png":                    "saved demo/1.png",
	} {
		if got := h.hide(in); got != want {
			t.Errorf("hide(%q) = %q, want %q", in, got, want)
		}
	}
	if got := newHider("").hide("s3cr3t"); got != "s3cr3t" {
		t.Errorf("with no secret, hide(%q) = %q, want it as it is", "s3cr3t", got)
	}
	err := h.hideError(io.ErrUnexpectedEOF)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF) = false, want true", err)
	}
}
