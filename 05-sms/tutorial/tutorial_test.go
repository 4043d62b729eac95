// The tutorial's SMS program, translated line for line, posting to the
// chapter's local gateway, and the flaws it keeps, shown as they are.
package tutorial_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// content is the text the literal program sends.
const content = "Your verification code is: 147258. " +
	"Please do not disclose the verification code to others."

func TestWithTheGateway(t *testing.T) {
	t.Run("the literal sender's message is accepted and delivered", func(t *testing.T) {
		gateway := loopback.BuildAndRun(t, "../server", []string{"-addr", "127.0.0.1:0"})
		stdout, stderr, err := loopback.Run(t, loopback.Build(t, "./send"), gateway.Addr)
		if err != nil {
			t.Fatalf("the sender failed: %v; stderr %q", err, stderr)
		}
		// The form, then the answer as Go prints a map.
		lines := strings.Split(stdout, "\n")
		answer := regexp.MustCompile(`^map\[code:2 msg:提交成功 smsid:(\w+)\]$`)
		if len(lines) != 3 || lines[2] != "" || !answer.MatchString(lines[1]) {
			t.Fatalf("got %q, want the form, then code 2 and an smsid", stdout)
		}
		smsid := answer.FindStringSubmatch(lines[1])[1]
		want := "138****5678 (smsid " + smsid + "): " + strconv.Quote(content)
		if got := gateway.NextLine(t); got != want {
			t.Errorf("the gateway delivered %q, want %q", got, want)
		}
	})
}

func TestFlaws(t *testing.T) {
	// Anyone who sees the output, or the traffic, has the key: the full
	// client prints neither and sends a signature instead.
	t.Run("the literal sender prints the key and sends it as the password", func(t *testing.T) {
		passwords := make(chan string, 1)
		gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			passwords <- r.PostFormValue("password")
			_, _ = w.Write([]byte(`{"code":2,"msg":"提交成功","smsid":"X"}`))
		}))
		t.Cleanup(gateway.Close)
		stdout, stderr, err := loopback.Run(t, loopback.Build(t, "./send"),
			strings.TrimPrefix(gateway.URL, "http://"))
		if err != nil {
			t.Fatalf("the sender failed: %v; stderr %q", err, stderr)
		}
		if !strings.Contains(stdout, "password=demo-key") {
			t.Errorf("got %q, want the key in what it prints", stdout)
		}
		if got := <-passwords; got != "demo-key" {
			t.Errorf("the password field held %q, want the key itself", got)
		}
	})

	t.Run("the literal sender succeeds when the gateway refuses", func(t *testing.T) {
		refusal := `{"code":405,"msg":"用户名或密码不正确"}`
		gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(refusal))
		}))
		t.Cleanup(gateway.Close)
		stdout, stderr, err := loopback.Run(t, loopback.Build(t, "./send"),
			strings.TrimPrefix(gateway.URL, "http://"))
		if err != nil {
			t.Fatalf("got %v, want exit status 0; stderr %q", err, stderr)
		}
		if !strings.HasSuffix(stdout, "\nmap[code:405 msg:用户名或密码不正确]\n") {
			t.Errorf("got %q, want the refusal printed as any answer", stdout)
		}
	})
}
