// The tests of the build-it exercises: written, and skipped until a
// learner deletes the t.Skip line to start (README, "Build it").

package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// balance is the gateway's answer to method=GetNum: the real platform's
// query for the messages left on the account.
type balance struct {
	Code int         `json:"code"`
	Msg  string      `json:"msg"`
	Num  json.Number `json:"num"`
}

// askBalance posts form to method=GetNum and decodes the JSON answer.
func askBalance(tb testing.TB, h http.Handler, form url.Values) balance {
	tb.Helper()
	resp := postFrom(h, "127.0.0.1:5555", submitPath+"?method=GetNum",
		form.Encode())
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("got %q, want 200 OK (the code is in the body)", resp.Status)
	}
	var b balance
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		tb.Fatalf("the answer to GetNum is not JSON: %s", errText(err))
	}
	return b
}

func TestBalanceQuery(t *testing.T) {
	t.Skip("exercise 10: answer method=GetNum with the messages left — delete this line to start")
	tg := newTestGateway(t)
	query := url.Values{"account": {"demo"}, "password": {"demo-key"},
		"format": {"json"}}
	first := askBalance(t, tg.h, query)
	if first.Code != 2 {
		t.Fatalf("GetNum: got code %d (%q), want 2 and the messages left: "+
			"the gateway answers only method=Submit yet", first.Code, first.Msg)
	}
	left, err := first.Num.Int64()
	if err != nil || left <= 0 {
		t.Fatalf("GetNum: got num %q, want a number of messages above 0",
			first.Num)
	}
	if again := askBalance(t, tg.h, query); again.Num != first.Num {
		t.Errorf("asked twice: got num %q, then %q; want the same: a query "+
			"changes nothing", first.Num, again.Num)
	}
	checkCode(t, send(t, tg.h, goodForm()), 2)
	want := json.Number(strconv.FormatInt(left-1, 10))
	if after := askBalance(t, tg.h, query); after.Num != want {
		t.Errorf("after one message: got num %q, want %q", after.Num, want)
	}
	// Signed as a send is, with no number and no content.
	ts := strconv.FormatInt(start.Unix(), 10)
	signedQuery := url.Values{"account": {"demo"}, "time": {ts},
		"format": {"json"}}
	signedQuery.Set("password", signature("demo-key", signedQuery))
	if b := askBalance(t, tg.h, signedQuery); b.Num != want {
		t.Errorf("signed: got code %d, num %q; want code 2, num %q",
			b.Code, b.Num, want)
	}
	query.Set("password", "guess")
	if b := askBalance(t, tg.h, query); b.Code != 405 {
		t.Errorf("a wrong key: got code %d (%q), want 405", b.Code, b.Msg)
	}
}
