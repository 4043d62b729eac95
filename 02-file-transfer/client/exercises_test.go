package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// The test of a build-it exercise of the README: it is skipped until you
// start the exercise, and passes when the exercise is done.

func TestClientChecksTheSHA256YouGive(t *testing.T) {
	t.Skip("exercise 11: -sha256 refuses a file whose checksum is another — delete this line to start")
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"-sha256", strings.Repeat("ab", 32)},
		&usage); err != nil {
		said, _, _ := strings.Cut(usage.String(), "\n")
		t.Fatalf("the client has no -sha256 flag yet: add it in parseFlags "+
			"(client/main.go); the client said %q", said)
	}
	want := []byte("the file you expected\n")
	sum := sha256.Sum256(want)
	hexSum := hex.EncodeToString(sum[:])
	other := []byte("a file you did not expect\n")
	replies := map[string]func(string, []byte) []byte{
		"json": jsonReply, "stream": streamReply,
	}

	for proto, reply := range replies {
		// sha256sum writes hex in small letters, Windows' Get-FileHash
		// in capitals.
		for _, given := range []string{hexSum, strings.ToUpper(hexSum)} {
			t.Run(proto+" mode saves the file that has the sha256 "+given[:8]+"...", func(t *testing.T) {
				addr := loopback.Serve(t, sends(reply("a.txt", want)))
				dir := t.TempDir()
				if _, err := receive(t, addr, dir, "-proto", proto,
					"-sha256", given); err != nil {
					t.Fatalf("got %q, want the file saved", err.Error())
				}
				if got := folder(t, dir); got["a.txt"] != string(want) {
					t.Errorf("got %v, want a.txt saved", describe(got))
				}
			})
		}
		// In stream mode the server's own sha256 is right: only the one
		// you give tells this is not the file you wanted.
		t.Run(proto+" mode refuses a file with another sha256, and saves nothing", func(t *testing.T) {
			addr := loopback.Serve(t, sends(reply("photo.png", other)))
			dir := outFolder(t)
			before := folder(t, dir)
			_, err := receive(t, addr, dir, "-proto", proto, "-sha256", hexSum)
			if err == nil || !strings.Contains(err.Error(), hexSum) {
				t.Errorf("got %q, want an error that names the sha256 %s",
					fmt.Sprint(err), hexSum)
			}
			if after := folder(t, dir); !maps.Equal(after, before) {
				t.Errorf("the folder changed: %v, want it as it was", describe(after))
			}
		})
	}

	t.Run("-sha256 that is not 64 hex digits is a usage error", func(t *testing.T) {
		for _, bad := range []string{"abc", strings.Repeat("x", 64), hexSum + "0"} {
			_, err := parseFlags([]string{"-sha256", bad}, &bytes.Buffer{})
			if !errors.Is(err, errUsage) {
				t.Errorf("-sha256 %q: got %q, want errUsage", bad, fmt.Sprint(err))
			}
		}
	})
}
