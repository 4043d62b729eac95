package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func TestBadUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"an unknown flag", []string{"-port", "25"}, nil},
		{"an argument", []string{"extra"}, nil},
		{"-addr without a port", []string{"-addr", "127.0.0.1"}, nil},
		{"-out empty", []string{"-out", ""}, nil},
		{"-max-size 0", []string{"-max-size", "0"}, nil},
		{"-max-size in MB, not MiB", []string{"-max-size", "20MB"}, nil},
		{"-max-rcpt 0", []string{"-max-rcpt", "0"}, nil},
		{"-timeout 0", []string{"-timeout", "0s"}, nil},
		{"-max-sessions 0", []string{"-max-sessions", "0"}, nil},
		{"-user without SMTP_PASSWORD", []string{"-user", "alice"}, nil},
		{"-user with SMTP_PASSWORD empty", []string{"-user", "alice"},
			map[string]string{"SMTP_PASSWORD": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is bad usage", func(t *testing.T) {
			var stderr bytes.Buffer
			getenv := func(key string) string { return tt.env[key] }
			err := run(t.Context(), tt.args, getenv, io.Discard, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
			if !strings.Contains(stderr.String(), "usage: server") {
				t.Errorf("got stderr %q, want the usage", stderr.String())
			}
		})
	}

	t.Run("-h prints every flag and is not an error", func(t *testing.T) {
		var stderr bytes.Buffer
		err := run(t.Context(), []string{"-h"}, os.Getenv, io.Discard, &stderr)
		if err != nil {
			t.Errorf("got %v, want nil", err)
		}
		for _, flag := range []string{"-addr", "-out", "-tls", "-user", "-max-size",
			"-max-rcpt", "-max-sessions", "-timeout", "SMTP_PASSWORD"} {
			if !strings.Contains(stderr.String(), flag) {
				t.Errorf("got %q, want %s in it", stderr.String(), flag)
			}
		}
	})
}

func TestMaxSizeTakesUnits(t *testing.T) {
	for _, tt := range []struct {
		arg  string
		want int64
	}{
		{"20MiB", 20 << 20},
		{"512KiB", 512 << 10},
		{"26214400", 25 << 20},
	} {
		t.Run("-max-size "+tt.arg+" is accepted", func(t *testing.T) {
			cfg, err := parseFlags([]string{"-max-size", tt.arg}, os.Getenv,
				io.Discard)
			if err != nil {
				t.Fatalf("got %v, want no error", err)
			}
			if cfg.maxSize != tt.want {
				t.Errorf("got %d bytes, want %d", cfg.maxSize, tt.want)
			}
		})
	}
}
