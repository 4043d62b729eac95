package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxReply bounds the gateway's answer.
const maxReply = 64 << 10

// result is the gateway's answer, in JSON or in XML.
type result struct {
	Code  string `json:"-" xml:"code"`
	Msg   string `json:"msg" xml:"msg"`
	SMSID string `json:"smsid" xml:"smsid"`
}

// hints says what to do about the gateway's codes.
var hints = map[string]string{
	"400": "the gateway does not accept requests from this IP address: " +
		"check its settings",
	"401":  "the account is empty: -account or SMS_ACCOUNT",
	"402":  "the password is empty: SMS_APIKEY",
	"403":  "the number is empty",
	"404":  "the content is empty",
	"405":  "check the API ID (-account, SMS_ACCOUNT) and the key (SMS_APIKEY)",
	"406":  "check -mobile",
	"407":  "the content holds words the gateway refuses",
	"4073": "the content is too long",
	"4080": "one message a second to a number: wait a moment",
	"4085": "the daily limit for this number is reached: try tomorrow",
}

// readAnswer reads the gateway's HTTP response: at most maxReply bytes,
// status 200 with the gateway's JSON or XML in it. Anything else is an
// error that shows what came, quoted: a status line, a body, it is all
// the gateway's choice of bytes.
func readAnswer(resp *http.Response) (*result, error) {
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read the answer: %w", err)
	case resp.StatusCode != http.StatusOK && len(body) == 0:
		return nil, fmt.Errorf("the gateway answered %s", quote(resp.Status))
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("the gateway answered %s: %s",
			quote(resp.Status), quote(string(body)))
	case len(body) > maxReply:
		return nil, fmt.Errorf("the gateway answered %s, with more than %d KiB",
			quote(resp.Status), maxReply>>10)
	}
	res, err := parseResult(body)
	if err != nil {
		return nil, fmt.Errorf("the gateway answered %s, but %w: %s",
			quote(resp.Status), err, quote(string(body)))
	}
	return res, nil
}

// parseResult reads the gateway's answer: JSON when asked for (it was),
// or XML, which the gateway sends when not.
func parseResult(body []byte) (*result, error) {
	var res result
	trimmed := strings.TrimSpace(string(body))
	switch {
	case strings.HasPrefix(trimmed, "{"):
		var raw struct {
			result
			Code json.Number `json:"code"` // 2 or "2"
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, fmt.Errorf("the answer is not the gateway's JSON (%s)",
				quote(err.Error()))
		}
		res, res.Code = raw.result, raw.Code.String()
	case strings.HasPrefix(trimmed, "<"):
		var raw struct {
			XMLName xml.Name // the root element: SubmitResult, not html
			result
		}
		if err := xml.Unmarshal(body, &raw); err != nil {
			return nil, fmt.Errorf("the answer is not the gateway's XML (%s)",
				quote(err.Error()))
		}
		if raw.XMLName.Local != "SubmitResult" {
			return nil, fmt.Errorf("the answer is not the gateway's XML "+
				"(<%s> where <SubmitResult> was expected)",
				quote(raw.XMLName.Local))
		}
		res = raw.result
	default:
		return nil, errors.New("the answer is neither JSON nor XML")
	}
	res.Code = strings.TrimSpace(res.Code)
	if res.Code == "" {
		return nil, errors.New("the answer has no code")
	}
	if _, err := strconv.Atoi(res.Code); err != nil {
		return nil, fmt.Errorf("the answer's code %s is not a number",
			quote(res.Code))
	}
	return &res, nil
}
