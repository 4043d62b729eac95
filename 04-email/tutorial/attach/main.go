// Command attach is the tutorial's second email program, translated line
// for line: the listing under "send email" that sends a text and two
// files as attachments. MIMEMultipart becomes mime/multipart, MIMEText
// and Header a few headers and mime.BEncoding, and smtplib's SMTP,
// sendmail and quit smtp.SendMail. It has no timeout, holds every file in
// memory, and names no sender in a header, as the tutorial does.
//
// Changed so that it runs here: it sends to the mail sink at
// 127.0.0.1:1025, or to the address given as its one argument, not
// smtp.126.com, and does not log in (see ../send). Its files are in
// desktop/, built into it (go:embed), not /Users/Hao/Desktop/. Each part
// has one Content-Type (the tutorial's get two: text/base64, then the
// one it meant). The text is the original's Chinese, as in the chapter.
//
//	go run ./04-email/server
//	go run ./04-email/tutorial/attach
//
// The full program is ../client: the chapter's README walks from this one
// to it.
package main

import (
	"bytes"
	"embed"
	"encoding/base64"
	"fmt"
	"log"
	"mime"
	"mime/multipart"
	"net/smtp"
	"net/textproto"
	"os"
)

//go:embed desktop
var desktop embed.FS

func main() {
	addr := "127.0.0.1:1025"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	// Create a message with attachments: parts, each with headers of its
	// own, between boundary lines. A bytes.Buffer takes all: no errors.
	var body bytes.Buffer
	message := multipart.NewWriter(&body)
	// Create the text content ("Please check this month's data in the
	// attachment") and the subject ("This month's data").
	textContent, _ := message.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {`text/plain; charset="utf-8"`},
		"Content-Transfer-Encoding": {"base64"}})
	textContent.Write(base64Lines([]byte("请查收附件中的本月数据")))
	subject := mime.BEncoding.Encode("utf-8", "本月数据")

	// Read each file and add it to the message as an attachment.
	f, err := desktop.ReadFile("desktop/hello.txt")
	if err != nil {
		log.Fatal(err)
	}
	txt, _ := message.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain"},
		"Content-Transfer-Encoding": {"base64"},
		"Content-Disposition":       {"attachment; filename=hello.txt"}})
	txt.Write(base64Lines(f))
	f, err = desktop.ReadFile("desktop/summary data.xlsx")
	if err != nil {
		log.Fatal(err)
	}
	xls, _ := message.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"application/vnd.ms-excel"},
		"Content-Transfer-Encoding": {"base64"},
		"Content-Disposition":       {"attachment; filename=month-data.xlsx"}})
	xls.Write(base64Lines(f))
	message.Close() // the last boundary line

	sender, receivers := "abcdefg@126.com", []string{"uvwxyz@qq.com"}
	headers := "Content-Type: multipart/mixed; boundary=" + message.Boundary() +
		"\r\nMIME-Version: 1.0\r\nSubject: " + subject + "\r\n\r\n"
	// No login, where the tutorial calls smtper.login: see ../send. And
	// SendMail upgrades to TLS if offered, as starttls() (commented out).
	err = smtp.SendMail(addr, nil, sender, receivers,
		append([]byte(headers), body.Bytes()...))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Send completed!")
}

// base64Lines is what the 'base64' of Python's MIMEText does: the bytes
// in base64, in lines of 76 characters, as mail wants.
func base64Lines(data []byte) []byte {
	s := base64.StdEncoding.EncodeToString(data)
	var lines []byte
	for len(s) > 76 {
		lines = append(lines, s[:76]+"\r\n"...)
		s = s[76:]
	}
	return append(lines, s+"\r\n"...)
}
