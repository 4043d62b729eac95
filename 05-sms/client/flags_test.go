package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestBadUsage(t *testing.T) {
	bad := [][]string{
		{}, {"-mobile", "12345"}, {"-mobile", "23812345678"},
		{"-mobile", "1381234567x"}, {"-mobile", "+85213812345678"},
		{"-mobile", "1381234567"}, {"-mobile", "+868613812345678"},
		{"-mobile", "13812345678", "-timeout", "0s"},
		{"-mobile", "13812345678", "-gateway", "ftp://x/"},
		{"-mobile", "13812345678", "extra"},
	}
	for _, args := range bad {
		t.Run(fmt.Sprintf("%q is bad usage, and nothing is posted", args), func(t *testing.T) {
			f := newFakeGateway(t, 200, "application/json", jsonOK)
			_, stderr, err := sendSMS(t, f.srv.URL, env, args...)
			if n := len(f.posted()); n != 0 {
				t.Errorf("the gateway got %d post(s), want none: a bad "+
					"command line is refused before anything is sent", n)
			}
			if !errors.Is(err, errUsage) {
				t.Errorf("got %s, want errUsage", errText(err))
			}
			if !strings.Contains(stderr, "usage: client") {
				t.Errorf("stderr %q lacks the usage", stderr)
			}
		})
	}
}
