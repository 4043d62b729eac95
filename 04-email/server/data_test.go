package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
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
			if err != nil || !ok || !bytes.Equal(body, line[:n]) ||
				string(rest) != "NOOP\r\n" {
				t.Fatalf("a line of %d bytes after %q: got %.80q, %v, "+
					"left %.80q; want the message back and NOOP left",
					n, dot, got, err, rest)
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
		strings.Repeat("Y", 4095) + "\r\n.\r\n",
	} {
		f.Add(seed, uint16(0))
	}
	f.Fuzz(func(t *testing.T, in string, size uint16) {
		// Small buffers put the ends of pieces everywhere.
		want, ended, wantRest := model(in)
		got, rest, err := readAll(in, 16+int(size%5000))
		if ended != (err == nil) {
			t.Fatalf("readData(%.200q) returned %v; the message ended: %v",
				in, err, ended)
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

func TestReadLineLengths(t *testing.T) {
	// Command lines too come in pieces when they are longer than the
	// reader's buffer, here 16 bytes: the line is whole, or too long and
	// dropped, and the next one is read as it came either way.
	for _, end := range []string{"\r\n", "\n"} {
		for n := 0; n <= maxLine+40; n++ {
			line := strings.Repeat("x", n)
			r := bufio.NewReaderSize(strings.NewReader(line+end+"NEXT\r\n"), 16)
			got, err := readLine(r)
			if n+len(end) <= maxLine && (err != nil || got != line) {
				t.Fatalf("a line of %d bytes and %q: got %.40q..., %v; want it back",
					n, end, got, err)
			}
			if n+len(end) > maxLine && !errors.Is(err, errLineTooLong) {
				t.Fatalf("a line of %d bytes and %q: got %v, want errLineTooLong",
					n, end, err)
			}
			if next, err := readLine(r); next != "NEXT" || err != nil {
				t.Fatalf("after a line of %d bytes and %q: got %q, %v; want NEXT",
					n, end, next, err)
			}
		}
	}
}
