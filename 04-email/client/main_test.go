package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"testing"

	"netprog/internal/loopback"
)

// runClient runs the client against addr with more flags, and returns what it
// printed to stdout and to stderr, and its error.
func runClient(tb testing.TB, addr string, env map[string]string,
	flags ...string) (string, string, error) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	args := append([]string{"-server", addr, "-timeout", "10s"}, flags...)
	err := run(context.Background(), args, func(k string) string { return env[k] },
		&stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

// writeFile writes data to a file named name in a new folder, and
// returns its path.
func writeFile(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// b64 is what AUTH's answers look like.
func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// fakeEHLO is an EHLO reply offering what the tests need.
const fakeEHLO = "250-fake.example.com\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN"

func TestDryRun(t *testing.T) {
	// No -server is reachable: a dry run must not try.
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"-server", "127.0.0.1:1", "-dry-run",
		"-to", "a@example.com", "-subject", "Hi", "-body", "hello"},
		func(string) string { return "" }, &stdout, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	p := parse(t, stdout.String())
	if p.body != "hello\r\n" || p.header.Get("To") != "<a@example.com>" {
		t.Errorf("got %q to %q, want hello to a@example.com", p.body, p.header.Get("To"))
	}
}

// BenchmarkSend sends a 50 MiB attachment to a server that takes it:
// the bytes allocated (-benchmem) stay small, since the file is read and
// encoded as it is sent.
func BenchmarkSend(b *testing.B) {
	path := writeFile(b, "big.bin", make([]byte, 50<<20))
	f := loopback.NewFakeSMTP(b, loopback.SMTPScript{DiscardData: true})
	addr := f.Addr
	args := []string{"-server", addr, "-to", "a@example.com", "-attach", path}
	b.SetBytes(50 << 20)
	b.ReportAllocs()
	for b.Loop() {
		if err := run(context.Background(), args, func(string) string { return "" },
			io.Discard, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// certFor returns a TLS configuration with a self-signed certificate for
// the host name name only, and the certificate in PEM form.
