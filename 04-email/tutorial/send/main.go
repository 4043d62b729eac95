// Command send is the tutorial's first email program, translated line for
// line: the listing under "send email" that sends a short plain-text
// message with smtplib. Python's MIMEText and Header become a few headers
// written by hand and mime.BEncoding; smtplib's SMTP and sendmail become
// smtp.SendMail. It has no timeout, and its From and To headers hold
// names with no address, as the tutorial's do.
//
// Changed so that it runs here: it sends to the chapter's local mail sink
// at 127.0.0.1:1025, or to the address given as its one argument, instead
// of smtp.126.com, and does not log in (see below). The names and the
// subject are the original tutorial's Chinese, as in the rest of the
// chapter (the English tutorial translates them too); text other than
// ASCII is what Header is for.
//
//	go run ./04-email/server
//	go run ./04-email/tutorial/send
//
// The full program is ../client: the chapter's README walks from this one
// to it.
package main

import (
	"encoding/base64"
	"fmt"
	"log"
	"mime"
	"net/smtp"
	"os"
)

func main() {
	addr := "127.0.0.1:1025"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	// Please modify the sender and recipients of the email below.
	sender := "abcdefg@126.com"
	receivers := []string{"uvwxyz@qq.com", "uvwxyz@126.com"}
	// MIMEText(text, 'plain', 'utf-8'): headers that say what the body
	// is, and the body in base64, as Python sends UTF-8 text.
	message := "Content-Type: text/plain; charset=\"utf-8\"\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Transfer-Encoding: base64\r\n"
	// Header(text, 'utf-8'): a header is ASCII, so other text goes as an
	// encoded word, =?utf-8?b?...?=.
	message += "From: " + mime.BEncoding.Encode("utf-8", "王大锤") + "\r\n" // King Sledgehammer
	message += "To: " + mime.BEncoding.Encode("utf-8", "骆昊") + "\r\n"    // Luo Hao
	message += "Subject: " + mime.BEncoding.Encode("utf-8", "示例代码实验邮件") + "\r\n" +
		"\r\n" + base64.StdEncoding.EncodeToString([]byte("用Go发送邮件的示例代码.")) + "\r\n"
	// The tutorial logs in here: smtper.login(sender, 'secretpass'), in
	// Go smtp.PlainAuth("", sender, "secretpass", host) as SendMail's
	// second argument. The local sink asks for no login unless started
	// with -user, and Go will not log in to a server that does not offer
	// it, so: nil, no login.
	err := smtp.SendMail(addr, nil, sender, receivers, []byte(message))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Mail sending completed!")
}
