// This file is the same in both HTTP servers: 03-image-download/server and
// 05-sms/server. A test keeps the copies identical.

package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
)

// listener returns ln, and with -v a listener that notes each connection
// it accepts and when the server closes it, after the client's address:
// a client that keeps its connection open sends several requests on it.
func (l *wire) listener(ln net.Listener) net.Listener {
	if l == nil {
		return ln
	}
	return &wireListener{Listener: ln, l: l}
}

type wireListener struct {
	net.Listener
	l *wire
}

func (w *wireListener) Accept() (net.Conn, error) {
	c, err := w.Listener.Accept()
	if err != nil {
		return nil, err
	}
	p := w.l.peer(c.RemoteAddr().String())
	p.note("new connection to %s", c.LocalAddr())
	return &wireConnection{Conn: c, l: p}, nil
}

// wireConnection notes when it is closed, once.
type wireConnection struct {
	net.Conn
	l    *wire
	once sync.Once
}

func (c *wireConnection) Close() error {
	c.once.Do(func() { c.l.note("connection closed") })
	return c.Conn.Close()
}

// handler returns h, and with -v a handler that prints each exchange,
// every line after the client's address: the request line and headers
// as they came in, marked "C:", its body once the handler has read it,
// then the status line, headers and body the handler answered, marked
// "S:". It is to an HTTP server what wrapping the connection is to a
// program that speaks in lines. The values of query and form fields
// named in hidden read <hidden>, as those of credential headers do.
//
// The headers shown are those the handler set: net/http adds Date and
// the body's framing, Content-Length or Transfer-Encoding, as it writes
// them (the client's -v shows them as they arrive).
func (l *wire) handler(h http.Handler, hidden ...string) http.Handler {
	if l == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := l.peer(r.RemoteAddr)
		// Reads nothing: with false, only the request line and headers.
		head, _ := httputil.DumpRequest(r, false)
		p.line("C:", wireHead(head, hidden))
		in := &wireRequest{ReadCloser: r.Body, l: p, hidden: hidden,
			ctype: r.Header.Get("Content-Type")}
		in.body.text = isText(mediaType(in.ctype))
		r.Body = in
		out := &wireResponse{ResponseWriter: w}
		h.ServeHTTP(out, r)
		in.show() // if the handler did not read to the end
		p.line("S:", out.show(r, hidden))
	})
}

// wireRecord counts the bytes of a body, and keeps the first
// maxWireBody of them if it is text, to show.
type wireRecord struct {
	text bool
	kept []byte
	size int64
}

func (b *wireRecord) add(p []byte) {
	b.size += int64(len(p))
	if room := maxWireBody - len(b.kept); b.text && room > 0 {
		b.kept = append(b.kept, p[:min(room, len(p))]...)
	}
}

// wireRequest is a request's body, shown once the handler has read it.
type wireRequest struct {
	io.ReadCloser
	l      *wire
	hidden []string
	ctype  string
	body   wireRecord
	shown  bool
}

func (r *wireRequest) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.body.add(p[:n])
	if err != nil {
		r.show() // the end, or as far as it goes
	}
	return n, err
}

// show prints what the handler read of the body, once.
func (r *wireRequest) show() {
	if r.shown || r.body.size == 0 {
		return
	}
	r.shown = true
	r.l.line("C:", wireBody(r.ctype, r.body.kept, r.body.size, r.hidden))
}

// wireResponse is the handler's http.ResponseWriter, which notes what
// the handler answers.
type wireResponse struct {
	http.ResponseWriter
	status int         // 0 until the handler writes the status
	header http.Header // the headers as they were then
	body   wireRecord
}

func (w *wireResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status, w.header = status, w.Header().Clone()
		w.body.text = isText(mediaType(w.header.Get("Content-Type")))
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *wireResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK) // as net/http does
	}
	n, err := w.ResponseWriter.Write(p)
	w.body.add(p[:n])
	return n, err
}

// Unwrap gives http.NewResponseController the ResponseWriter inside.
func (w *wireResponse) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// show returns the answer to r as -v shows it.
func (w *wireResponse) show(r *http.Request, hidden []string) string {
	status, header := w.status, w.header
	if status == 0 { // the handler wrote nothing: net/http sends 200
		status, header = http.StatusOK, w.Header()
	}
	text := http.StatusText(status)
	if text == "" {
		text = fmt.Sprintf("status code %d", status)
	}
	var head strings.Builder
	fmt.Fprintf(&head, "%s %d %s\r\n", r.Proto, status, text)
	_ = header.Write(&head) // a strings.Builder takes every write
	head.WriteString("\r\n")
	shown := wireHead([]byte(head.String()), hidden)
	if r.Method == http.MethodHead {
		return shown // net/http sends no body, whatever the handler writes
	}
	return shown + wireBody(header.Get("Content-Type"), w.body.kept,
		w.body.size, hidden)
}
