// Command send is the tutorial's SMS program, translated line for line:
// the listing under "send messages" that posts a form to the Huyi SMS
// platform with http.client and prints the JSON answer. Like the
// tutorial, it prints the form, password included, sends the password
// itself rather than a signature made with it, over plain HTTP, and does
// not look at the answer's code.
//
// Changed so that it runs here: it posts to the chapter's local gateway
// at 127.0.0.1:8080, or to the address given as its one argument, instead
// of 106.ihuyi.com port 80, with the gateway's demo account and key
// (demo, demo-key) and a test number in place of yours.
//
//	go run ./05-sms/server
//	go run ./05-sms/tutorial/send
//
// The full program is ../client: the chapter's README walks from this one
// to it.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

func main() {
	host := "127.0.0.1:8080"
	if len(os.Args) > 1 {
		host = os.Args[1]
	}
	smsSendURI := "/webservice/sms.php?method=Submit"
	// The account and password: with the real platform, your own.
	// Encode writes the fields in the order of their names (Python's
	// urlencode, in the order given).
	params := url.Values{
		"account":  {"demo"},
		"password": {"demo-key"},
		"content": {"Your verification code is: 147258. " +
			"Please do not disclose the verification code to others."},
		"mobile": {"13812345678"},
		"format": {"json"},
	}.Encode()
	fmt.Println(params)
	headers := http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"},
		"Accept":       {"text/plain"},
	}
	// The tutorial's timeout=30 bounds each wait on the socket; an
	// http.Client's Timeout bounds the whole exchange.
	conn := &http.Client{Timeout: 30 * time.Second}
	request, err := http.NewRequest("POST", "http://"+host+smsSendURI,
		strings.NewReader(params))
	if err != nil {
		log.Fatal(err)
	}
	request.Header = headers
	response, err := conn.Do(request)
	if err != nil {
		log.Fatal(err)
	}
	responseStr, err := io.ReadAll(response.Body)
	if err != nil {
		log.Fatal(err)
	}
	// A Go string is bytes already: no decode('utf-8'). Unmarshal makes
	// a map of the JSON, as Python's loads makes a dict.
	var answer map[string]any
	if err := json.Unmarshal(responseStr, &answer); err != nil {
		log.Fatal(err)
	}
	fmt.Println(answer)
	response.Body.Close()
}
