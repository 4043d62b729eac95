package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// TestEndToEnd sends a message with an attachment through the chapter's
// own server, with STARTTLS and AUTH, and reads back what it saved.
func TestEndToEnd(t *testing.T) {
	mailbox := filepath.Join(t.TempDir(), "mailbox")
	server := loopback.BuildAndRun(t, "../server",
		[]string{"-addr", "127.0.0.1:0", "-out", mailbox, "-tls", "-user", "me"},
		"SMTP_PASSWORD=s3cret")

	data := bytes.Repeat([]byte{0, 1, 2, 254, 255}, 40_000)
	xlsx := writeFile(t, "本月数据.xlsx", data)
	_, errOut, err := runClient(t, server.Addr, map[string]string{"SMTP_PASSWORD": "s3cret"},
		"-ca", filepath.Join(mailbox, "server-cert.pem"), "-user", "me",
		"-from", "王大锤 <abcdefg@126.com>", "-to", "骆昊 <uvwxyz@qq.com>",
		"-bcc", "hidden@example.com", "-subject", "示例代码实验邮件",
		"-body", "请查收附件中的本月数据", "-attach", xlsx, "-v")
	if err != nil {
		t.Fatalf("send: %v; stderr %q", err, errOut)
	}
	// The server saved it before answering 250: it is there now.
	matches, err := filepath.Glob(filepath.Join(mailbox, "*.eml"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("got %v, %v; want one saved message", matches, err)
	}
	saved, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	// -v shows the whole conversation in plain text, TLS or not, but
	// for the password, and the message, whose size is what was saved
	// after the trace headers, its dots doubled on the wire, and a dot.
	msg := strings.SplitN(string(saved), "\r\n", 3)[2]
	wire := len(strings.ReplaceAll("\r\n"+msg, "\r\n.", "\r\n..")) - 2 + 3
	inOrder(t, strings.Split(errOut, "\n"), []string{`S: "220 ...`,
		`C: "EHLO localhost\r\n"`, `S: "250-...`, `C: "STARTTLS\r\n"`,
		"S: ...", "* TLS 1.3, ...", `C: "EHLO localhost\r\n"`,
		`S: "250-...250 AUTH PLAIN LOGIN\r\n"`, `C: "AUTH PLAIN "`,
		"C: <... bytes hidden>", `S: "235 ...`,
		`C: "MAIL FROM:<abcdefg@126.com>\r\n"`, `S: "250 OK\r\n"`,
		`C: "RCPT TO:<uvwxyz@qq.com>\r\n"`, `S: "250 OK\r\n"`,
		`C: "RCPT TO:<hidden@example.com>\r\n"`, `S: "250 OK\r\n"`,
		`C: "DATA\r\n"`, fmt.Sprintf("C: <%d bytes hidden>", wire),
		`S: "250 saved as ...`, `C: "QUIT\r\n"`,
		`S: "221 ...`})
	for _, secret := range []string{"s3cret", b64("s3cret"),
		b64("\x00me\x00s3cret")} {
		if strings.Contains(errOut, secret) {
			t.Errorf("-v shows %q: %q", secret, errOut)
		}
	}

	p := parse(t, string(saved))
	if !bytes.Equal(p.files["本月数据.xlsx"], data) {
		t.Errorf("the attachment came back as %d bytes that differ from the %d sent",
			len(p.files["本月数据.xlsx"]), len(data))
	}
	if p.body != "请查收附件中的本月数据\r\n" {
		t.Errorf("got body %q", p.body)
	}
	if !strings.Contains(string(saved), "with ESMTPSA") {
		t.Error("the Received header does not say the message came over TLS with AUTH")
	}
	headers, _, _ := strings.Cut(string(saved), "\r\n\r\n")
	if strings.Contains(headers, "hidden") {
		t.Error("the blind copy recipient is in a header")
	}
}
