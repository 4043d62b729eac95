package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestEndToEnd sends a message with attachments through the chapter's
// own server, with STARTTLS and AUTH, and reads back what it saved. The
// server is another main package, so the test builds it and runs it.
func TestEndToEnd(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build the server with")
	}
	dir := t.TempDir()
	server := filepath.Join(dir, "server")
	if runtime.GOOS == "windows" {
		server += ".exe"
	}
	build := exec.Command(goTool, "build", "-o", server, "../server")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the server: %v\n%s", err, out)
	}

	mailbox := filepath.Join(dir, "mailbox")
	cmd := exec.Command(server, "-addr", "127.0.0.1:0", "-out", mailbox,
		"-tls", "-user", "me")
	cmd.Env = append(os.Environ(), "SMTP_PASSWORD=s3cret")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for the listening line, then let the rest of stderr drain.
	addr := make(chan string, 1)
	drained := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // ends it if the test did not
		<-drained              // Wait must come after the last read
		_ = cmd.Wait()         // reaps it; its status is not the question
	})
	go func() {
		defer close(drained)
		listening := regexp.MustCompile(`listening on (\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	var serverAddr string
	select {
	case serverAddr = <-addr:
	case <-time.After(10 * time.Second):
		t.Fatal("the server printed no listening line within 10s")
	}

	data := bytes.Repeat([]byte{0, 1, 2, 254, 255}, 40_000)
	xlsx := writeFile(t, "本月数据.xlsx", data)
	_, errOut, err := send(t, serverAddr, map[string]string{"SMTP_PASSWORD": "s3cret"},
		"-ca", filepath.Join(mailbox, "server-cert.pem"), "-user", "me",
		"-from", "王大锤 <abcdefg@126.com>", "-to", "骆昊 <uvwxyz@qq.com>",
		"-bcc", "hidden@example.com", "-subject", "示例代码实验邮件",
		"-body", "请查收附件中的本月数据", "-attach", xlsx)
	if err != nil {
		t.Fatalf("send: %v\n%s", err, errOut)
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
	p := parse(t, string(saved))
	if !bytes.Equal(p.files["本月数据.xlsx"], data) {
		t.Errorf("the attachment came back as %d bytes that differ from the %d sent",
			len(p.files["本月数据.xlsx"]), len(data))
	}
	if p.body != "请查收附件中的本月数据" {
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
