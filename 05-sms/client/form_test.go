package main

import (
	"crypto/md5"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

func TestForm(t *testing.T) {
	t.Run("posts the fields, with a dynamic password that checks out", func(t *testing.T) {
		f := newFakeGateway(t, 200, "application/json", jsonOK)
		if _, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "+8613812345678",
			"-content", "你好, 1+1=2 & more"); err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		forms := f.posted()
		if len(forms) != 1 {
			t.Fatalf("got %d posts, want 1", len(forms))
		}
		form := forms[0]
		want := map[string]string{"account": "C12345", "mobile": "13812345678",
			"content": "你好, 1+1=2 & more", "format": "json"}
		for k, v := range want {
			if got := form.Get(k); got != v {
				t.Errorf("%s: got %q, want %q", k, got, v)
			}
		}
		sum := md5.Sum([]byte("C12345" + "s3cret-key" + "13812345678" +
			form.Get("content") + form.Get("time")))
		if got := form.Get("password"); got != hex.EncodeToString(sum[:]) {
			t.Errorf("password %q is not md5(account+key+mobile+content+time)", got)
		}
		if ct := f.header.Get("Content-Type"); !strings.HasPrefix(ct,
			"application/x-www-form-urlencoded") {
			t.Errorf("Content-Type: got %q", ct)
		}
	})

	t.Run("-plain-key sends the key itself", func(t *testing.T) {
		f := newFakeGateway(t, 200, "application/json", jsonOK)
		if _, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678",
			"-plain-key"); err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		form := f.posted()[0]
		if form.Get("password") != "s3cret-key" || form.Has("time") {
			t.Errorf("got password %q, time %q; want the key, no time",
				form.Get("password"), form.Get("time"))
		}
	})

	t.Run("the default content has a fresh 6-digit code", func(t *testing.T) {
		f := newFakeGateway(t, 200, "application/json", jsonOK)
		for range 2 {
			if _, _, err := sendSMS(t, f.srv.URL, env, "-mobile", "13812345678"); err != nil {
				t.Fatalf("got %s, want no error", errText(err))
			}
		}
		code := regexp.MustCompile(`code is: (\d{6})\.`)
		forms := f.posted()
		a := code.FindStringSubmatch(forms[0].Get("content"))
		b := code.FindStringSubmatch(forms[1].Get("content"))
		if a == nil || b == nil {
			t.Fatalf("got %q and %q, want a 6-digit code in each",
				forms[0].Get("content"), forms[1].Get("content"))
		}
		if a[1] == "147258" {
			t.Error("the code is the tutorial's fixed one")
		}
	})
}
