package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestFlags(t *testing.T) {
	bad := [][]string{
		{"-num", "0"}, {"-num", "51"}, {"-workers", "0"}, {"-timeout", "0s"},
		{"-max-size", "0"}, {"-max-size", "20MB"}, {"-api", "ftp://example.com/"},
		{"-api", "::"}, {"-nope"}, {"extra"},
	}
	for _, args := range bad {
		t.Run(strings.Join(args, " ")+" is bad usage", func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), args, func(string) string { return "" },
				io.Discard, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %q, want errUsage", fmt.Sprint(err))
			}
			if !strings.Contains(stderr.String(), "usage: client") {
				t.Errorf("got stderr %q, want the usage", stderr.String())
			}
		})
	}
	t.Run("-max-size 20MiB is 20 MiB", func(t *testing.T) {
		cfg, err := parseFlags([]string{"-max-size", "20MiB"},
			func(string) string { return "" }, io.Discard)
		if err != nil {
			t.Fatalf("got %q, want no error", err)
		}
		if cfg.maxSize != 20<<20 {
			t.Errorf("got -max-size %d, want %d", cfg.maxSize, 20<<20)
		}
	})
}
