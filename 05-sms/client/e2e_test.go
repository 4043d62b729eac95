package main

import (
	"bufio"
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

// TestEndToEnd sends through the chapter's own gateway, which is another
// main package: the test builds it and runs it.
func TestEndToEnd(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build the gateway with")
	}
	gateway := filepath.Join(t.TempDir(), "gateway")
	if runtime.GOOS == "windows" {
		gateway += ".exe"
	}
	build := exec.Command(goTool, "build", "-o", gateway, "../server")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the gateway: %v\n%s", err, out)
	}
	cmd := exec.Command(gateway, "-addr", "127.0.0.1:0", "-account", "C12345")
	cmd.Env = append(os.Environ(), "SMS_APIKEY=s3cret-key")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdoutPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
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
	var host string
	select {
	case host = <-addr:
	case <-time.After(10 * time.Second):
		t.Fatal("the gateway printed no listening line within 10s")
	}
	url := "http://" + host + "/webservice/sms.php?method=Submit"

	stdout, _, err := sendSMS(t, url, env, "-mobile", "+8613812345678",
		"-content", "Your verification code is: 246810.")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout, "sent to 138****5678, smsid ") {
		t.Errorf("got %q, want it sent", stdout)
	}

	// The key itself as the password works too.
	_, _, err = sendSMS(t, url, env, "-mobile", "13712345678", "-plain-key",
		"-content", "second")
	if err != nil {
		t.Errorf("with -plain-key: %v", err)
	}

	wrong := map[string]string{"SMS_ACCOUNT": "C12345", "SMS_APIKEY": "guess"}
	_, _, err = sendSMS(t, url, wrong, "-mobile", "13912345678")
	if err == nil || !strings.Contains(err.Error(), "code 405") {
		t.Errorf("got %v, want code 405 for a wrong key", err)
	}

	// What the gateway delivered: the one message, the number masked.
	delivered := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdoutPipe).ReadString('\n')
		delivered <- line
	}()
	select {
	case got := <-delivered:
		want := regexp.MustCompile(`^138\*{4}5678 \(smsid \w+\): ` +
			`Your verification code is: 246810\.\n$`)
		if !want.MatchString(got) {
			t.Errorf("the gateway delivered %q, want the masked number, an "+
				"smsid and the text", got)
		}
	case <-time.After(5 * time.Second):
		t.Error("the gateway printed nothing within 5s")
	}
}
