package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"testing"
)

// manyAttachments makes a message with n attachments of one byte each.
func manyAttachments(n int) string {
	var b strings.Builder
	b.WriteString("Subject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--b\r\nContent-Disposition: attachment; "+
			"filename=a%d.txt\r\n\r\nx\r\n", i)
	}
	b.WriteString("--b--\r\n")
	return b.String()
}

func TestSummaryIsBounded(t *testing.T) {
	const files, rcpts = 20_000, 100
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := root.WriteFile("m.eml", []byte(manyAttachments(files)), 0o644); err != nil {
		t.Fatal(err)
	}
	to := make([]string, rcpts)
	for i := range to {
		to[i] = fmt.Sprintf("%s%d@example.com", strings.Repeat("r", 200), i)
	}
	s := &session{cfg: &config{mailbox: root, dir: dir,
		log: log.New(os.Stderr, "", 0)}}
	line := s.summary("m.eml", strings.Repeat("f", 300)+"@example.com", to)

	if len(line) > 8<<10 {
		t.Errorf("got a line of %d bytes, want at most 8 KiB: %.300q...",
			len(line), line)
	}
	for _, want := range []string{
		`; attachments "a0.txt" 1 B, "a1.txt" 1 B, `,
		fmt.Sprintf(`"a%d.txt" 1 B and %d more;`, maxListed-1, files-maxListed),
		// Each name cut after 200 characters, by %.200q.
		fmt.Sprintf(`rrr" and %d more; subject "many";`, rcpts-maxListed),
		`from "` + strings.Repeat("f", 200) + `" to "`,
	} {
		if !strings.Contains(line, want) {
			t.Errorf("got %.2000q, want %q in it", line, want)
		}
	}
}

// descriptions are messages and the summary describe must give of each.
var descriptions = []struct{ name, msg, want string }{
	{"a plain subject is quoted", "Subject: Hello\r\n\r\nhi\r\n",
		`subject "Hello"`},
	{"a subject with a quote mark is quoted", "Subject: \"Hi\"\r\n\r\n",
		`subject "\"Hi\""`},
	{"a subject with a terminal escape is quoted",
		"Subject: =?utf-8?q?=1B[2Jgreen?=\r\n\r\n", `subject "\x1b[2Jgreen"`},
	{"no subject is said", "From: a@example.com\r\n\r\nhi\r\n", "no subject"},
	{"an encoded subject is decoded",
		"Subject: =?utf-8?b?56S65L6L5Luj56CB5a6e6aqM6YKu5Lu2?=\r\n\r\nhi\r\n",
		`subject "示例代码实验邮件"`},
	{"a subject in an unknown charset stays encoded",
		"Subject: =?x-unknown?q?abc?=\r\n\r\n", `subject "=?x-unknown?q?abc?="`},
	{"the tutorial's attachment header, encoded whole by Python, is understood",
		"Subject: s\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
			"--b\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: " +
			"=?utf-8?b?YXR0YWNobWVudDsgZmlsZW5hbWU95pys5pyI5pWw5o2uLnhsc3g=?=\r\n\r\n" +
			"AAFiaW5hcnk=\r\n--b--\r\n",
		`subject "s"; attachments "本月数据.xlsx" 8 B`},
	{"attachments in nested parts are found, quoted-printable decoded",
		"Subject: nested\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n" +
			"--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n" +
			"--inner\r\nContent-Type: text/plain\r\n\r\nhi\r\n" +
			"--inner\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--inner--\r\n" +
			"--outer\r\nContent-Transfer-Encoding: quoted-printable\r\n" +
			"Content-Disposition: attachment; filename=\"=?utf-8?q?caf=C3=A9.txt?=\"\r\n\r\n" +
			"caf=C3=A9=\r\n\r\n--outer--\r\n",
		`subject "nested"; attachments "café.txt" 5 B`},
	{"an inline part is not an attachment",
		"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
			"--b\r\nContent-Disposition: inline; filename=a.png\r\n\r\nxx\r\n--b--\r\n",
		`subject "x"`},
	{"parts longer than a header's bound are read through, and counted",
		"Subject: big\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
			"--b\r\n\r\n" + strings.Repeat("x", 200<<10) + "\r\n" +
			"--b\r\nContent-Disposition: attachment; filename=big.txt\r\n\r\n" +
			strings.Repeat("x", 200<<10) + "\r\n--b--\r\n",
		`subject "big"; attachments "big.txt" 200 KiB`},
	{"a name with control characters is escaped",
		"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
			"--b\r\nContent-Disposition: attachment; filename*=utf-8''a%1B%5B2J.txt\r\n\r\n" +
			"abc\r\n--b--\r\n",
		`subject "x"; attachments "a\x1b[2J.txt" 3 B`},
}

func TestDescribe(t *testing.T) {
	for _, tt := range descriptions {
		t.Run(tt.name, func(t *testing.T) {
			if got := describe(strings.NewReader(tt.msg)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	broken := []struct{ name, msg string }{
		{"a header line without a colon", "Subject x\r\n\r\nhi\r\n"},
		{"a multipart body without a boundary",
			"Subject: x\r\nContent-Type: multipart/mixed\r\n\r\n--\r\n\r\nhi\r\n"},
		{"an attachment cut off in the middle",
			"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Transfer-Encoding: base64\r\n" +
				"Content-Disposition: attachment; filename=a\r\n\r\nAAFia"},
		{"an attachment that is not base64",
			"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Transfer-Encoding: base64\r\n" +
				"Content-Disposition: attachment; filename=a\r\n\r\n!!!!\r\n--b--\r\n"},
		{"a message with parts nested too deeply", nested(maxDepth + 2)},
	}
	for _, tt := range broken {
		t.Run(tt.name+" is not parseable", func(t *testing.T) {
			got := describe(strings.NewReader(tt.msg))
			if !strings.Contains(got, "not parseable: ") {
				t.Errorf("got %q, want not parseable: ...", got)
			}
		})
	}
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestDescribeReadsAtMostMaxHeader(t *testing.T) {
	// describe keeps what it reads of a header: reading a whole header
	// of 24 MB took hundreds of megabytes.
	short := strings.Repeat("A: b\r\n", 4<<20)
	long := strings.Repeat("A: "+strings.Repeat("b", 995)+"\r\n", 24<<10)
	tests := []struct{ name, msg, want string }{
		{"a message of 24 MB of short header lines", short,
			`not parseable: "a header longer than 64 KiB"`},
		{"a part whose header is 24 MB of long lines",
			"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\n" + long,
			`subject "x"; not parseable: "a header longer than 64 KiB"`},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is read no further than maxHeader", func(t *testing.T) {
			r := &counter{r: strings.NewReader(tt.msg)}
			got := describe(r)
			if most := maxHeader + 16<<10; r.n > most {
				t.Errorf("describe read %d bytes, want %d at most", r.n, most)
			}
			if got != tt.want {
				t.Errorf("got %.200q, want %q", got, tt.want)
			}
		})
	}
}

func TestDescribeReadsAHeaderJustUnderMaxHeader(t *testing.T) {
	// describe reads ahead, in blocks: a header that ends in the last
	// block before maxHeader is whole, and so is the body after it.
	body := strings.Repeat("x", 100<<10)
	for n := 60 << 10; n < maxHeader-200; n += 100 {
		long := "X: " + strings.Repeat("b", n) + "\r\n"
		msg := "Subject: x\r\n" + long + "\r\n" + body
		if got, want := describe(strings.NewReader(msg)), `subject "x"`; got != want {
			t.Errorf("a message's header of %d bytes: got %.200q, want %q",
				len(msg)-len(body), got, want)
		}
		msg = "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
			"--b\r\nContent-Disposition: attachment; filename=a.txt\r\n" +
			long + "\r\n" + body + "\r\n--b--\r\n"
		want := `subject "x"; attachments "a.txt" 100 KiB`
		if got := describe(strings.NewReader(msg)); got != want {
			t.Errorf("a part's header of %d bytes: got %.200q, want %q",
				len(long)+50, got, want)
		}
	}
}

// nested makes a message of n multipart bodies, each in the one before.
func nested(n int) string {
	var b strings.Builder
	b.WriteString("Subject: x\r\n")
	for i := range n {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n"+
			"\r\n--b%d\r\n", i, i)
	}
	return b.String()
}

func TestUnparseableMessageIsStillSaved(t *testing.T) {
	p, out := startServer(t, nil)
	c := dial(t, p.Addr)
	c.play(out, envelope...)
	body := "no header here, only text\r\n"
	c.write(body + ".\r\n")
	if got := c.readReply(); !strings.HasPrefix(got, "250 ") {
		t.Fatalf("got %q, want 250: saved all the same", got)
	}
	c.play(out, step{"QUIT", "221 "})
	name, saved := onlyMessage(t, out)
	checkSaved(t, saved, "ESMTP", []byte(body))
	want := `from "a@example.com" to "b@example.com"; not parseable: `
	got := p.Stdout()
	if !strings.HasPrefix(got, want) || !strings.Contains(got, name) {
		t.Errorf("got stdout %q, want %q... %s", got, want, name)
	}
}
