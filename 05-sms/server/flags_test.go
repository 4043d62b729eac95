package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestUsage checks -h and the mistakes on the command line that are bad
// usage, exit status 2.
func TestUsage(t *testing.T) {
	t.Run("-h prints every flag and is no error", func(t *testing.T) {
		var stderr bytes.Buffer
		err := run(t.Context(), []string{"-h"}, nil, io.Discard, &stderr)
		if err != nil {
			t.Errorf("got %s, want nil", errText(err))
		}
		for _, want := range []string{"-addr", "-account", "-max-conns",
			"SMS_APIKEY"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("usage %q does not mention %s", stderr.String(), want)
			}
		}
	})

	bad := [][]string{{"-account", ""}, {"extra"}, {"-nosuch"}, {"-addr"},
		{"-max-conns", "0"}, {"-max-conns", "many"}, {"-addr", "127.0.0.1"}}
	for _, args := range bad {
		t.Run(strings.Join(args, " ")+" is bad usage", func(t *testing.T) {
			err := run(context.Background(), args, nil, io.Discard, io.Discard)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %s, want errUsage", errText(err))
			}
		})
	}
}
