package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
)

// xmlResult is the XML answer as a client decodes it.
type xmlResult struct {
	XMLName xml.Name `xml:"http://106.ihuyi.com/ SubmitResult"`
	Code    int      `xml:"code"`
	Msg     string   `xml:"msg"`
	SMSID   string   `xml:"smsid"`
}

func TestReplyFormats(t *testing.T) {
	t.Run("format=json gets the real gateway's JSON", func(t *testing.T) {
		tg := newTestGateway(t)
		resp := postFrom(tg.h, "127.0.0.1:5555", target, goodForm().Encode())
		body, _ := io.ReadAll(resp.Body) // a recorder's body never fails
		prefix := `{"code":2,"msg":"提交成功","smsid":"`
		if !strings.HasPrefix(string(body), prefix) {
			t.Errorf("got %q, want it to start with %q", body, prefix)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		checkCode(t, decodeJSON(t, resp), 2)
	})

	for _, format := range []string{"", "xml", "JSON"} {
		t.Run("format "+strconv.Quote(format)+" gets XML", func(t *testing.T) {
			tg := newTestGateway(t)
			for _, want := range []int{2, 4080} {
				resp := postFrom(tg.h, "127.0.0.1:5555", target,
					goodForm("format", format).Encode())
				xmlType := "text/xml; charset=utf-8"
				if ct := resp.Header.Get("Content-Type"); ct != xmlType {
					t.Errorf("got Content-Type %q, want %q", ct, xmlType)
				}
				body, _ := io.ReadAll(resp.Body) // a recorder's never fails
				if !strings.HasPrefix(string(body), xmlDeclaration+
					`<SubmitResult xmlns="http://106.ihuyi.com/"><code>`) {
					t.Errorf("got %q, want the real gateway's XML", body)
				}
				var res xmlResult
				if err := xml.Unmarshal(body, &res); err != nil {
					t.Fatalf("answer is not XML: %s", errText(err))
				}
				checkCode(t, result(res), want)
			}
		})
	}

	t.Run("every message gets a new smsid", func(t *testing.T) {
		tg := newTestGateway(t)
		a := send(t, tg.h, goodForm())
		b := send(t, tg.h, goodForm("mobile", "13812345679"))
		if a.SMSID == b.SMSID || len(a.SMSID) < 16 {
			t.Errorf("got smsids %q and %q, want two long, different ones",
				a.SMSID, b.SMSID)
		}
	})
}
