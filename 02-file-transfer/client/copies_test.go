package main

import (
	"bytes"
	"os"
	"testing"
)

func TestSizeFlagIsTheSameInBothPrograms(t *testing.T) {
	// -max-size and -min-rate take a size the same way: the same file.
	client, err := os.ReadFile("size.go")
	if err != nil {
		t.Fatal(err)
	}
	server, err := os.ReadFile("../server/size.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(client, server) {
		t.Error("size.go differs from ../server/size.go: make them the same")
	}
}
