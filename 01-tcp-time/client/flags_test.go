package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestClientFlags(t *testing.T) {
	bad := []struct {
		name string
		args []string
	}{
		{"an unknown flag", []string{"-host", "127.0.0.1"}},
		{"a timeout that is not a duration", []string{"-timeout", "5"}},
		{"a timeout of zero", []string{"-timeout", "0s"}},
		{"an address without a port", []string{"-addr", "127.0.0.1"}},
		{"an argument", []string{"127.0.0.1:6789"}},
	}
	for _, tc := range bad {
		t.Run(tc.name+" is bad usage", func(t *testing.T) {
			var stderr bytes.Buffer
			err := run(context.Background(), tc.args, nil, io.Discard, &stderr)
			if !errors.Is(err, errUsage) {
				t.Errorf("got %v, want errUsage", err)
			}
			if !strings.Contains(stderr.String(), "usage: client") {
				t.Errorf("got stderr %q, want the usage", stderr.String())
			}
		})
	}

	t.Run("bad usage exits with status 2", func(t *testing.T) {
		// Run this test binary again as the client itself (see
		// TestMain), so that main and os.Exit run for real.
		cmd := exec.Command(os.Args[0], "-no-such-flag")
		cmd.Env = append(os.Environ(), "NETPROG_RUN_MAIN=1")
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("got %v, want exit status 2", err)
		}
	})

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

// TestMain lets a test run this binary as the client: with
// NETPROG_RUN_MAIN=1 set, it calls main instead of running the tests.
func TestMain(m *testing.M) {
	if os.Getenv("NETPROG_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
