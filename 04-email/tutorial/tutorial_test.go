// The tutorial's two email programs, translated line for line, sending
// into the chapter's mail sink, and the flaw they keep, shown as it is.
package tutorial_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"testing"

	"netprog/internal/loopback"
)

func TestIntoTheMailSink(t *testing.T) {
	t.Run("the literal plain sender's message arrives with its names and subject", func(t *testing.T) {
		msg := send(t, "./send", "Mail sending completed!\n")
		for header, want := range map[string]string{
			"From": "王大锤", "To": "骆昊", "Subject": "示例代码实验邮件",
		} {
			if got := decode(t, msg.Header.Get(header)); got != want {
				t.Errorf("%s: got %q, want %q", header, got, want)
			}
		}
		body, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
		if want := "用Go发送邮件的示例代码."; err != nil || string(body) != want {
			t.Errorf("body: got %q (%v), want %q", body, err, want)
		}
	})

	t.Run("the literal sender with attachments delivers its text and both files", func(t *testing.T) {
		msg := send(t, "./attach", "Send completed!\n")
		if got, want := decode(t, msg.Header.Get("Subject")), "本月数据"; got != want {
			t.Errorf("Subject: got %q, want %q", got, want)
		}
		_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
		}
		parts := multipart.NewReader(msg.Body, params["boundary"])
		want := []struct{ name, data string }{
			{"", "请查收附件中的本月数据"},
			{"hello.txt", readFile(t, "attach/desktop/hello.txt")},
			{"month-data.xlsx", readFile(t, "attach/desktop/summary data.xlsx")},
		}
		for _, w := range want {
			part, err := parts.NextRawPart()
			if err != nil {
				t.Fatalf("want a part for %q: %v", w.name, err)
			}
			data, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, part))
			if part.FileName() != w.name || err != nil || string(data) != w.data {
				t.Errorf("got a part named %q of %d bytes (%v), want %q of %d bytes",
					part.FileName(), len(data), err, w.name, len(w.data))
			}
		}
		if _, err := parts.NextRawPart(); !errors.Is(err, io.EOF) {
			t.Errorf("after the attachments: got %v, want the end", err)
		}
	})
}

func TestFlaws(t *testing.T) {
	// Header('王大锤', 'utf-8') is a name: the headers say who, not where.
	// A reply has no address to go to. The full client writes
	// "王大锤 <abcdefg@126.com>".
	t.Run("the literal plain sender's From and To hold no address", func(t *testing.T) {
		msg := send(t, "./send", "Mail sending completed!\n")
		for _, header := range []string{"From", "To"} {
			if addr, err := msg.Header.AddressList(header); err == nil {
				t.Errorf("%s: got addresses %q, want none", header, addr)
			}
		}
	})
}

// send starts the chapter's mail sink, runs the literal program in dir
// against it, checks that it prints done, and returns the message the
// sink saved.
func send(tb testing.TB, dir, done string) *mail.Message {
	tb.Helper()
	mailbox := filepath.Join(tb.TempDir(), "mailbox")
	sink := loopback.BuildAndRun(tb, "../server",
		[]string{"-addr", "127.0.0.1:0", "-out", mailbox})
	stdout, stderr, err := loopback.Run(tb, loopback.Build(tb, dir), sink.Addr)
	if err != nil || stdout != done {
		tb.Fatalf("got %q, %v; want %q; stderr %q", stdout, err, done, stderr)
	}
	line := sink.NextLine(tb) // printed once the message is saved
	names, err := filepath.Glob(filepath.Join(mailbox, "*.eml"))
	if err != nil || len(names) != 1 {
		tb.Fatalf("the sink printed %q and holds %q (%v), want one message",
			line, names, err)
	}
	saved, err := os.ReadFile(names[0])
	if err != nil {
		tb.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(saved))
	if err != nil {
		tb.Fatalf("the saved message: %v", err)
	}
	return msg
}

// decode decodes a header's encoded words.
func decode(tb testing.TB, header string) string {
	tb.Helper()
	var dec mime.WordDecoder
	text, err := dec.DecodeHeader(header)
	if err != nil {
		tb.Errorf("header %q: %v", header, err)
	}
	return text
}

func readFile(tb testing.TB, path string) string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}
