package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// The test of a build-it exercise of the README: it is skipped until you
// start the exercise, and passes when the exercise is done.

// ask connects to addr, sends line, and reads everything the server
// sends back.
func ask(t *testing.T, addr, line string) []byte {
	t.Helper()
	conn := dialServer(t, addr)
	defer conn.Close()
	if _, err := io.WriteString(conn, line); err != nil {
		t.Fatal(err)
	}
	reply, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("after sending %q: %v", line, err)
	}
	return reply
}

func TestServerResumesFromAnOffset(t *testing.T) {
	t.Skip("exercise 10: -proto resume sends the rest of the file from an offset — delete this line to start")
	var usage bytes.Buffer
	if _, err := parseFlags([]string{"-proto", "resume"}, &usage); err != nil {
		said, _, _ := strings.Cut(usage.String(), "\n")
		t.Fatalf("the server does not take -proto resume yet: add it in "+
			"parseFlags (server/main.go); the server said %q", said)
	}
	data := randomBytes(100_000, 5)
	p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
		"-file", writeFile(t, "photo.jpg", data), "-proto", "resume"}, nil)

	for _, offset := range []int{0, 1, 60_000, 100_000} {
		t.Run(fmt.Sprintf("offset %d gets the bytes from there on, "+
			"framed as in stream mode", offset), func(t *testing.T) {
			reply := ask(t, p.Addr, fmt.Sprintf(`{"offset":%d}`+"\n", offset))
			name, got, err := decodeStream(reply)
			if err != nil {
				t.Fatalf("%v; the answer starts %q", err, reply[:min(len(reply), 120)])
			}
			if name != "photo.jpg" || !bytes.Equal(got, data[offset:]) {
				t.Errorf("got %q and %d bytes, want %q and the file's %d "+
					"bytes from %d on", name, len(got), "photo.jpg",
					len(data)-offset, offset)
			}
		})
	}

	for _, line := range []string{`{"offset":100001}`, `{"offset":-1}`,
		`{"offset":"10"}`, `{}`, "hello"} {
		t.Run(fmt.Sprintf("%q gets an error, and nothing else", line), func(t *testing.T) {
			reply := ask(t, p.Addr, line+"\n")
			var answer struct{ Error, Message string }
			err := json.Unmarshal(reply, &answer)
			if err != nil || answer.Error == "" || bytes.Count(reply, []byte("\n")) > 1 {
				t.Errorf("got %d bytes, starting %q, want one line "+
					`{"error":...,"message":...}`, len(reply), reply[:min(len(reply), 120)])
			}
		})
	}
}
