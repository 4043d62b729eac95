package main

import (
	"fmt"
	"log"
	"os"
	"strings"
	"testing"
)

// manyAttachments makes a message with n attachments of one byte each.
func manyAttachments(n int) string {
	var b strings.Builder
	b.WriteString("Subject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--b\r\nContent-Disposition: attachment; "+
			"filename=a%d.txt\r\n\r\nx\r\n", i)
	}
	b.WriteString("--b--\r\n")
	return b.String()
}

func TestSummaryIsBounded(t *testing.T) {
	const files, rcpts = 20_000, 100
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := root.WriteFile("m.eml", []byte(manyAttachments(files)), 0o644); err != nil {
		t.Fatal(err)
	}
	to := make([]string, rcpts)
	for i := range to {
		to[i] = fmt.Sprintf("%s%d@example.com", strings.Repeat("r", 200), i)
	}
	s := &session{cfg: &config{mailbox: root, dir: dir,
		log: log.New(os.Stderr, "", 0)}}
	line := s.summary("m.eml", strings.Repeat("f", 300)+"@example.com", to)

	if len(line) > 8<<10 {
		t.Errorf("got a line of %d bytes, want at most 8 KiB: %.300q...",
			len(line), line)
	}
	for _, want := range []string{
		"; attachments a0.txt 1 B, a1.txt 1 B, ",
		fmt.Sprintf("a%d.txt 1 B and %d more;", maxListed-1, files-maxListed),
		fmt.Sprintf("(13 more bytes) and %d more; subject many;", rcpts-maxListed),
		"(112 more bytes)", // the sender, cut by quote
	} {
		if !strings.Contains(line, want) {
			t.Errorf("got %.2000q, want %q in it", line, want)
		}
	}
}
