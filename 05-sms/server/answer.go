package main

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
)

// xmlDeclaration starts the XML answer, as the real gateway's does.
const xmlDeclaration = `<?xml version="1.0" encoding="utf-8"?>` + "\n"

// result is the gateway's answer, in JSON or in XML.
type result struct {
	XMLName xml.Name `json:"-" xml:"http://106.ihuyi.com/ SubmitResult"`
	Code    int      `json:"code" xml:"code"`
	Msg     string   `json:"msg" xml:"msg"`
	SMSID   string   `json:"smsid" xml:"smsid"`
}

// writeAnswer sends res as the body of an HTTP 200: in JSON when the form
// asked for format=json, and in XML, the real gateway's default, for
// anything else.
//
//	{"code":2,"msg":"提交成功","smsid":"..."}
//	<SubmitResult xmlns="http://106.ihuyi.com/"><code>2</code>...
func writeAnswer(w http.ResponseWriter, res result, format string) {
	var body []byte
	var err error
	if format == "json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		body, err = json.Marshal(res)
	} else {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		body, err = xml.Marshal(res)
		body = append([]byte(xmlDeclaration), body...)
	}
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(body) // a client that went away is no concern of ours
}
