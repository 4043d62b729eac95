package main

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestLineWriterKeepsCountAcrossWrites(t *testing.T) {
	// The base64 encoder hands lineWriter pieces of any size: the lines
	// must be the same, 76 characters each, however the writes fall.
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	text := []byte(base64.StdEncoding.EncodeToString(data))
	var want bytes.Buffer
	for s := string(text); s != ""; s = s[min(len(s), 76):] {
		want.WriteString(s[:min(len(s), 76)] + "\r\n")
	}
	for size := 1; size <= 160; size++ {
		var got bytes.Buffer
		l := &lineWriter{w: &got}
		for p := text; len(p) > 0; p = p[min(len(p), size):] {
			if _, err := l.Write(p[:min(len(p), size)]); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.end(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("writes of %d bytes: got %d lines, want %d; first "+
				"difference near %q", size, strings.Count(got.String(), "\n"),
				strings.Count(want.String(), "\n"), firstDiff(got.String(), want.String()))
		}
	}
}

// firstDiff returns a little of got from where it first differs from want.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return got[i:min(len(got), i+20)]
}
