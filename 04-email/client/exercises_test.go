package main

// The tests of the README's build-it exercises: each waits, skipped,
// until you start the exercise by deleting its first line.

import (
	"fmt"
	"netprog/internal/loopback"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestHonoursSIZE(t *testing.T) {
	t.Skip("exercise 12: check the message against the server's SIZE before sending — delete this line to start")
	// RFC 1870: "SIZE 1000" in the reply to EHLO says the server takes
	// messages of 1000 bytes at most; "SIZE 0" (or none) says nothing.
	body := strings.Repeat("x", 2000) // a message of about 2,400 bytes
	t.Run("a message larger than SIZE is refused before MAIL FROM", func(t *testing.T) {
		f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: map[string]string{
			"EHLO": "250-fake\r\n250 SIZE 1000"}})
		_, _, err := runClient(t, f.Addr, nil, "-to", "a@example.com", "-body", body)
		for _, cmd := range f.Commands() {
			if strings.HasPrefix(cmd, "MAIL") || cmd == "DATA" {
				t.Errorf("the client sent %q to a server that takes 1000 bytes "+
					"at most: compare the message's size with SIZE after "+
					"EHLO, and send nothing if it is larger", cmd)
			}
		}
		// Both sizes, in bytes: 1000 or 1,000, either way a person reads
		// it; the message is about 2,400 however it is counted.
		limit, size := false, false
		if err != nil {
			number := regexp.MustCompile(`[0-9][0-9,]*`)
			for _, n := range number.FindAllString(err.Error(), -1) {
				v, _ := strconv.Atoi(strings.ReplaceAll(n, ",", ""))
				limit = limit || v == 1000
				size = size || v >= 2000 && v < 3000
			}
		}
		if !limit || !size {
			t.Errorf("got %v, want an error that names both sizes: the "+
				"message's (about 2,400 bytes) and the 1000 bytes the "+
				"server takes at most", err)
		}
	})
	for _, ehlo := range []string{"250-fake\r\n250 SIZE 10000",
		"250-fake\r\n250 SIZE 0", "250-fake\r\n250 SIZE", "250 fake"} {
		t.Run(fmt.Sprintf("a message is sent after %q", ehlo), func(t *testing.T) {
			f := loopback.NewFakeSMTP(t, loopback.SMTPScript{Replies: map[string]string{
				"EHLO": ehlo}})
			_, _, err := runClient(t, f.Addr, nil, "-to", "a@example.com",
				"-body", body)
			if err != nil || len(f.Messages()) != 1 {
				t.Errorf("got %v and %d messages, want one sent", err,
					len(f.Messages()))
			}
		})
	}
}
