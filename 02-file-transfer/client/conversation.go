package main

import (
	"bytes"
	"errors"
	"io"
	"net"
)

// What -v prints of the conversation: the two ends of the connection,
// what the server sends ("S:"), and who closed the connection, after how
// many bytes. The client sends nothing: connecting is its request.
//
// What the server sends is mostly data: in json mode, one JSON object
// with the whole file in it as base64; in stream mode, a header line,
// then the file. So -v shows the JSON as it goes by, with the value of
// "filedata" (and any string too long to read) replaced by its size,
// {"filename":"sample.png","filedata":<3,324 bytes of base64>}, and what
// follows the object, the file in stream mode, as its size too:
// <2,492 bytes of file>.

// showConnection prints, with -v, the two ends of conn.
func showConnection(w *wire, conn net.Conn) {
	w.note("connected to %s from %s", conn.RemoteAddr(), conn.LocalAddr())
}

// showing returns r, or with -v a wireView that shows what is read
// through it. Call the view's end when the connection is closed.
func showing(w *wire, r io.Reader, proto string) (io.Reader, *wireView) {
	if w == nil {
		return r, nil
	}
	v := &wireView{r: r, w: w, rest: "more bytes"} // json: nothing follows
	if proto == "stream" {
		v.rest = "bytes of file"
	}
	return v, v
}

// wireView reads from r, and shows what it reads: the header, once it is
// complete, then at the end the size of what followed it.
type wireView struct {
	r    io.Reader
	w    *wire
	rest string // what the bytes after the header are
	n    int64  // bytes read
	eof  bool   // the server closed the connection

	head    []byte // the header so far, as shown
	headEnd bool   // the header is complete, and shown
	newline bool   // the line end after the header may come still
	after   int64  // bytes after the header
	json    jsonView
}

func (v *wireView) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.n += int64(n)
	v.see(p[:n])
	if errors.Is(err, io.EOF) {
		v.eof = true
	}
	return n, err
}

// see follows the bytes b, the next ones the server sent.
func (v *wireView) see(b []byte) {
	for len(b) > 0 && !v.headEnd {
		if j := &v.json; j.inString && j.elide && !j.escaped {
			// The base64 of a file: nothing in it to show.
			i := bytes.IndexAny(b, `"\`)
			if i < 0 {
				j.length += int64(len(b))
				return
			}
			j.length += int64(i)
			b = b[i:]
		}
		v.seeByte(b[0])
		b = b[1:]
	}
	if v.newline && len(b) > 0 {
		v.newline = false
		if b[0] == '\n' {
			b = b[1:] // the end of the header line
		}
	}
	v.after += int64(len(b))
}

// show adds b to the header as shown. A header grown to maxHeader bytes
// is not one: it is shown as it is, and the rest counted.
func (v *wireView) show(b ...byte) {
	v.head = append(v.head, b[:min(len(b), maxHeader-len(v.head))]...)
	if len(v.head) == maxHeader {
		v.endHead()
	}
}

// endHead prints the header, once.
func (v *wireView) endHead() {
	if !v.headEnd {
		v.headEnd, v.newline = true, true
		v.w.line("S:", string(v.head))
	}
}

// end prints what is left to show: a header that never ended, the size of
// what followed it, and who closed the connection.
func (v *wireView) end() {
	if v == nil {
		return
	}
	if !v.headEnd && v.json.inString {
		v.show(v.json.shown(false)...) // the connection ended inside it
	}
	if !v.headEnd && len(v.head) > 0 {
		v.endHead()
	}
	if v.after > 0 {
		v.w.line("S:", "<"+thousands(v.after)+" "+v.rest+">")
	}
	who := "the client"
	if v.eof {
		who = "the server"
	}
	v.w.note("%s closed the connection after %s bytes", who, thousands(v.n))
}
