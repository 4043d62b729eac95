package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// readAll runs readData over in with a reader of size bytes, and returns
// what it wrote, what it left unread, and its error.
func readAll(in string, size int) (string, string, error) {
	r := bufio.NewReaderSize(strings.NewReader(in), size)
	var out bytes.Buffer
	err := readData(r, &out, func() error { return nil })
	rest, _ := io.ReadAll(r) // a strings.Reader does not fail
	return out.String(), string(rest), err
}

func TestReadDataLineLengths(t *testing.T) {
	// A line of 4095 bytes ends its CRLF across two reads of a 4096-byte
	// buffer: the CR in one piece, the LF in the next. Every length up
	// to past three buffers, with and without a leading dot, must come
	// back byte for byte, and the message end where it ends.
	const size = 4096
	line := bytes.Repeat([]byte("Y"), 3*size+1000)
	var in, out bytes.Buffer
	r := bufio.NewReaderSize(&in, size)
	noop := func() error { return nil }
	for _, dot := range []string{"", "."} {
		for n := 0; n <= len(line); n++ {
			in.Reset()
			in.WriteString("Subject: x\r\n\r\n" + dot + dot)
			in.Write(line[:n])
			in.WriteString("\r\nlast\r\n.\r\nNOOP\r\n")
			r.Reset(&in)
			out.Reset()
			err := readData(r, &out, noop)
			got := out.Bytes()
			body, ok := bytes.CutPrefix(got, []byte("Subject: x\r\n\r\n"+dot))
			if ok {
				body, ok = bytes.CutSuffix(body, []byte("\r\nlast\r\n"))
			}
			rest, _ := io.ReadAll(r) // a bytes.Buffer does not fail
			what := ""
			switch {
			case err != nil:
				what = fmt.Sprintf("readData returned %v", err)
			case string(rest) != "NOOP\r\n":
				what = fmt.Sprintf("the message ended in the wrong "+
					"place: left %.80q, want \"NOOP\\r\\n\"", rest)
			case !ok || !bytes.Equal(body, line[:n]):
				what = fmt.Sprintf("the line came back changed: the "+
					"message ends %q", got[max(0, len(got)-20):])
			}
			if what != "" {
				t.Fatalf("a line of %d bytes after %q: %s", n, dot, what)
			}
		}
	}
}

// model is readData written the simple way, over the whole input at
// once: what it saves, whether the message ended, and what is left.
func model(in string) (string, bool, string) {
	var out strings.Builder
	crlf := true
	for in != "" {
		i := strings.IndexByte(in, '\n')
		if i < 0 {
			return out.String(), false, ""
		}
		line := in[:i+1]
		in = in[i+1:]
		if crlf && line == ".\r\n" {
			return out.String(), true, in
		}
		line = strings.TrimPrefix(line, ".")
		crlf = strings.HasSuffix(line, "\r\n")
		if !crlf {
			line = strings.TrimSuffix(line, "\n") + "\r\n"
		}
		out.WriteString(line)
	}
	return out.String(), false, ""
}

func FuzzReadData(f *testing.F) {
	for _, seed := range []string{
		"Subject: x\r\n\r\nhi\r\n.\r\n",
		"..\r\n...two\r\n.\r\nQUIT\r\n",
		"body\n.\r\nMAIL FROM:<evil@example.com>\r\n.\r\n",
		"a\r\r\n.\r\n",
		"\r\n.\n.\r\n",
		strings.Repeat("Y", 15) + "\r\n.\r\n",
	} {
		f.Add(seed, uint16(0))
	}
	f.Fuzz(func(t *testing.T, in string, size uint16) {
		// Small buffers put the ends of pieces everywhere, and a few
		// of them hold every state readData has (one line's). Longer
		// input finds nothing more, and the fuzzer takes minutes to
		// shrink each long input it keeps, running nothing new.
		if len(in) > 256 {
			return
		}
		want, ended, wantRest := model(in)
		got, rest, err := readAll(in, 16+int(size%64))
		if ended && err != nil {
			t.Fatalf("readData(%.200q) missed the end of the message: "+
				"returned %v", in, err)
		}
		if !ended && err == nil {
			t.Fatalf("readData(%.200q) ended a message that goes on", in)
		}
		// Cut off in the middle, readData has written what came.
		if ended && got != want || !ended && !strings.HasPrefix(got, want) {
			t.Errorf("readData(%.200q) saved %.200q, want %.200q", in, got, want)
		}
		if ended && rest != wantRest {
			t.Errorf("readData(%.200q) left %.200q, want %.200q", in, rest, wantRest)
		}
	})
}

func TestMessageText(t *testing.T) {
	long := strings.Repeat("x", 10_000) // longer than any buffer
	max100 := []string{"-max-size", "100"}
	head := "Subject: x\r\n\r\n"
	y4095 := strings.Repeat("Y", 4095)
	tests := []struct {
		name string
		args []string
		send string // the text after DATA, up to the final dot
		want string // what is saved after the trace headers; "" for nothing
		code string // the reply to the final dot
	}{
		{"lines that begin with a dot lose the dot the client added", nil,
			"Subject: dots\r\n\r\n..\r\n...two\r\n..hidden\r\n.\r\n",
			"Subject: dots\r\n\r\n.\r\n..two\r\n.hidden\r\n", "250 "},
		{"lines that end with a bare LF are saved with CRLF", nil,
			"Subject: lf\n\n..one\nbody\r\n.\r\n",
			"Subject: lf\r\n\r\n.one\r\nbody\r\n", "250 "},
		// With -v, a failure shows what the server took the rest for.
		{"a dot after a bare LF is no end: nothing can be smuggled", []string{"-v"},
			"Subject: s\r\n\r\nbody\n.\r\nMAIL FROM:<evil@example.com>\r\n.\r\n",
			"Subject: s\r\n\r\nbody\r\n\r\nMAIL FROM:<evil@example.com>\r\n", "250 "},
		// The reader's buffer holds 4096 bytes: the CRLF of a line of
		// 4095 comes in two reads.
		{"a line of 4095 bytes is saved as sent, and the dot after it ends the message",
			nil, head + y4095 + "\r\n.\r\n", head + y4095 + "\r\n", "250 "},
		{"so is one that starts with a dot, 4095 bytes once dot-stuffed", nil,
			head + ".." + y4095[2:] + "\r\n.\r\n", head + "." + y4095[2:] + "\r\n", "250 "},
		{"a line longer than 1000 bytes is kept whole", nil,
			"Subject: long\r\n\r\n" + long + "\r\n." + long + "\r\n.\r\n",
			"Subject: long\r\n\r\n" + long + "\r\n" + long + "\r\n", "250 "},
		{"a message of exactly -max-size bytes is saved", max100,
			head + strings.Repeat("y", 84) + "\r\n.\r\n",
			head + strings.Repeat("y", 84) + "\r\n", "250 "},
		{"a message over -max-size gets 552 and is not saved", max100,
			head + strings.Repeat("y", 85) + "\r\n.\r\n", "", "552 "},
		{"a much larger message gets 552 too", max100,
			head + strings.Repeat(long+"\r\n", 100) + ".\r\n", "", "552 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, out := startServer(t, nil, tt.args...)
			c := dial(t, p.Addr)
			c.play(out, envelope...)
			c.write(tt.send)
			if got := c.readReply(); !strings.HasPrefix(got, tt.code) {
				t.Fatalf("got %q, want %q...", got, tt.code)
			}
			// The session goes on, ready for the next message.
			c.play(out, step{"MAIL FROM:<a@example.com>", "250 "})
			if tt.want == "" {
				entries, err := os.ReadDir(out)
				if err != nil || len(entries) != 0 {
					t.Errorf("got %v in %s (%v), want nothing saved",
						entries, out, err)
				}
				return
			}
			_, saved := onlyMessage(t, out)
			checkSaved(t, saved, "ESMTP", []byte(tt.want))
			if t.Failed() && slices.Contains(tt.args, "-v") {
				t.Logf("the server's side (-v):\n%s", p.Stderr())
			}
		})
	}
}
