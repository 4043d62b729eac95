package main

import (
	"regexp"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

// TestEndToEnd sends through the chapter's own gateway.
func TestEndToEnd(t *testing.T) {
	gateway := loopback.BuildAndRun(t, "../server",
		[]string{"-addr", "127.0.0.1:0", "-account", "C12345"},
		"SMS_APIKEY=s3cret-key")
	url := "http://" + gateway.Addr + "/webservice/sms.php?method=Submit"

	stdout, _, err := sendSMS(t, url, env, "-mobile", "+8613812345678",
		"-content", "Your verification code is: 246810.")
	if err != nil {
		t.Fatalf("%s", errText(err))
	}
	if !strings.HasPrefix(stdout, "sent to 138****5678, smsid ") {
		t.Errorf("got %q, want it sent", stdout)
	}
	// What the gateway delivered: the masked number, an smsid, the text.
	want := regexp.MustCompile(`^138\*{4}5678 \(smsid \w+\): ` +
		`"Your verification code is: 246810\."$`)
	if got := gateway.NextLine(t); !want.MatchString(got) {
		t.Errorf("the gateway delivered %q, want the masked number, an "+
			"smsid and the text", got)
	}

	// The key itself as the password works too.
	_, _, err = sendSMS(t, url, env, "-mobile", "13712345678", "-plain-key",
		"-content", "second")
	if err != nil {
		t.Errorf("with -plain-key: %s", errText(err))
	}

	wrong := map[string]string{"SMS_ACCOUNT": "C12345", "SMS_APIKEY": "guess"}
	_, _, err = sendSMS(t, url, wrong, "-mobile", "13912345678")
	if err == nil || !strings.Contains(err.Error(), "code 405") {
		t.Errorf("got %s, want code 405 for a wrong key", errText(err))
	}
}
