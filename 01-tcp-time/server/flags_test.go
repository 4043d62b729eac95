package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestServerFlags(t *testing.T) {
	bad := []struct {
		name string
		args []string
	}{
		{"an unknown flag is bad usage", []string{"-port", "6789"}},
		{"a timeout that is not a duration is bad usage", []string{"-timeout", "5"}},
		{"a timeout of zero is bad usage", []string{"-timeout", "0s"}},
		{"an address without a port is bad usage", []string{"-addr", "127.0.0.1"}},
		{"an argument is bad usage", []string{"127.0.0.1:6789"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), tc.args, nil, io.Discard, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
			if !strings.Contains(stderr.String(), "usage: server") {
				t.Errorf("got stderr %q, want the usage", stderr.String())
			}
		})
	}

	t.Run("-h prints every flag with its default", func(t *testing.T) {
		var stderr bytes.Buffer
		err := run(context.Background(), []string{"-h"}, nil, io.Discard, &stderr)
		if err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		for _, want := range []string{"-addr", "127.0.0.1:6789", "-udp",
			"-timeout", "5s", "-v"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("usage %q does not mention %q", stderr.String(), want)
			}
		}
	})
}
