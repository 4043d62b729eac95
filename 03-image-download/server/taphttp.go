// This file is the same in every HTTP program: 03-image-download/client,
// 03-image-download/server, 05-sms/client and 05-sms/server. A test keeps
// the copies identical.

package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// maxTapBody bounds how much of one text body -v shows.
const maxTapBody = 4 << 10

// tapTransport returns an http.RoundTripper that sends each request
// through rt (nil: http.DefaultTransport) and prints, for -v, the
// exchange, once the program is done with the answer's body: a note "*"
// of the connection it went on (a new one, or one kept alive after an
// earlier answer, as net/http/httptrace tells), then each message's head
// as net/http/httputil dumps it and its body as far as the program read
// it: text up to maxTapBody bytes, anything else as its size and type.
// Each line is marked "C:" (the client sent it) or "S:" (the server did)
// and in Go's quoted form, so nothing from the network drives the
// terminal. Credential headers, and the values of the fields named in
// hidden, read <hidden>. An exchange is one call of log, so that those
// in flight at once never mix.
func tapTransport(rt http.RoundTripper, log *log.Logger,
	hidden ...string) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &tapClient{rt: rt, log: log, hidden: hidden}
}

type tapClient struct {
	rt     http.RoundTripper
	log    *log.Logger
	hidden []string
}

func (t *tapClient) RoundTrip(req *http.Request) (*http.Response, error) {
	// DumpRequestOut writes a copy of req through an http.Transport of
	// its own, headers it adds and all; with false, it reads no body. It
	// fails only where sending req fails too.
	head, _ := httputil.DumpRequestOut(
		req.Clone(context.WithoutCancel(req.Context())), false)
	sent := &tapBody{head: head, media: mediaType(req.Header)}
	var conn atomic.Value // the note of the connection, once there is one
	var wrote atomic.Bool
	out := req.WithContext(httptrace.WithClientTrace(req.Context(),
		&httptrace.ClientTrace{
			GotConn: func(info httptrace.GotConnInfo) { conn.Store(connNote(info)) },
			WroteRequest: func(info httptrace.WroteRequestInfo) {
				wrote.Store(info.Err == nil)
			},
		}))
	if req.Body != nil && req.Body != http.NoBody {
		sent.ReadCloser, out.Body = req.Body, sent
	}
	resp, err := t.rt.RoundTrip(out)

	var lines []string
	if note, ok := conn.Load().(string); ok {
		lines = append(lines, note)
	}
	if err == nil || wrote.Load() {
		lines = append(lines, sent.lines("C:", t.hidden)...)
	}
	if err != nil {
		what := "not sent"
		if wrote.Load() {
			what = "no answer" // the server may have acted on it
		}
		t.log.Print(strings.Join(append(lines, fmt.Sprintf("* %s: %q", what,
			hideAssignments(err.Error(), t.hidden))), "\n"))
		return nil, err
	}
	head, _ = httputil.DumpResponse(resp, false) // reads no body
	got := &tapBody{ReadCloser: resp.Body, head: head, media: mediaType(resp.Header)}
	got.end = func() {
		lines = append(lines, got.lines("S:", t.hidden)...)
		t.log.Print(strings.Join(lines, "\n"))
	}
	resp.Body = got
	return resp, nil
}

// connNote notes the connection a request went on, and its TLS if any.
func connNote(info httptrace.GotConnInfo) string {
	how := "new connection"
	if info.Reused {
		how = "reused connection"
	}
	note := fmt.Sprintf("* %s %s -> %s", how, info.Conn.LocalAddr(),
		info.Conn.RemoteAddr())
	if tc, ok := info.Conn.(*tls.Conn); ok {
		state := tc.ConnectionState()
		note += ", " + tls.VersionName(state.Version) + ", " +
			tls.CipherSuiteName(state.CipherSuite)
	}
	return note
}

// tapHandler returns an http.Handler that serves with h and prints each
// exchange as tapTransport does, once h has answered, every line after
// the client's address. The answer shows the headers h set: net/http
// adds Date, and Content-Length or Transfer-Encoding, as it sends them.
func tapHandler(h http.Handler, log *log.Logger, hidden ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		head, _ := httputil.DumpRequest(r, false) // reads no body
		in := &tapBody{ReadCloser: r.Body, head: head, media: mediaType(r.Header)}
		tapped := *r // a handler leaves r as it is, but for its body
		tapped.Body = in
		out := &tapWriter{ResponseWriter: w}
		h.ServeHTTP(out, &tapped)

		lines := append(in.lines("C:", hidden), out.lines(r, hidden)...)
		for i := range lines {
			lines[i] = r.RemoteAddr + " " + lines[i]
		}
		log.Print(strings.Join(lines, "\n"))
	})
}

// tapWriter is the handler's http.ResponseWriter: it keeps the status,
// the headers as they were then, and the body as a tapBody.
type tapWriter struct {
	http.ResponseWriter
	status int // 0 until the handler writes the status
	header http.Header
	body   tapBody
}

func (w *tapWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status, w.header = status, w.Header().Clone()
		w.body.media = mediaType(w.header)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *tapWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK) // as net/http does
	}
	n, err := w.ResponseWriter.Write(p)
	w.body.add(p[:n])
	return n, err
}

// Unwrap gives http.NewResponseController the ResponseWriter inside.
func (w *tapWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// lines returns the answer to r as -v shows it.
func (w *tapWriter) lines(r *http.Request, hidden []string) []string {
	if w.status == 0 { // the handler wrote nothing: net/http sends 200
		w.status, w.header = http.StatusOK, w.Header()
	}
	var head strings.Builder
	fmt.Fprintf(&head, "%s %03d %s\r\n", r.Proto, w.status, cmp.Or(
		http.StatusText(w.status), fmt.Sprint("status code ", w.status)))
	_ = w.header.Write(&head) // a strings.Builder takes every write
	head.WriteString("\r\n")
	if w.body.head = []byte(head.String()); r.Method == http.MethodHead {
		w.body.size = 0 // net/http sends no body, whatever the handler wrote
	}
	return w.body.lines("S:", hidden)
}

// tapBody is an HTTP message as it crosses: its head, and its body,
// whose bytes it counts as they are read through it (or added), keeping
// the first maxTapBody if they are text. end, if not nil, is called
// once the body is read to its end, fails or is closed.
type tapBody struct {
	io.ReadCloser
	head  []byte
	media string // the media type of its Content-Type
	end   func()

	mu   sync.Mutex
	kept []byte
	size int64
	once sync.Once
}

func (b *tapBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.add(p[:n])
	if err != nil && b.end != nil {
		b.once.Do(b.end)
	}
	return n, err
}

func (b *tapBody) Close() error {
	err := b.ReadCloser.Close()
	if b.end != nil {
		b.once.Do(b.end)
	}
	return err
}

func (b *tapBody) add(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.size += int64(len(p))
	if room := maxTapBody - len(b.kept); isText(b.media) && room > 0 {
		b.kept = append(b.kept, p[:min(room, len(p))]...)
	}
}

// lines returns the message as -v shows it, marked who: its head, then
// its body, text a line at a time and how many bytes more crossed,
// anything else by its size and type, <1374 bytes of image/png>.
func (b *tapBody) lines(who string, hidden []string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := tapHead(who, b.head, hidden)
	switch {
	case b.size == 0:
		return lines
	case !isText(b.media):
		return append(lines, fmt.Sprintf("%s <%d bytes of %s>", who, b.size,
			cmp.Or(b.media, "unknown type")))
	}
	text := hideAssignments(string(b.kept), hidden)
	if b.media == "application/x-www-form-urlencoded" {
		text = hideFields(string(b.kept), hidden)
	}
	for line := range strings.Lines(text) {
		lines = append(lines, who+" "+tapQuote(line))
	}
	if more := b.size - int64(len(b.kept)); more > 0 {
		lines = append(lines, fmt.Sprintf("%s <%d more bytes>", who, more))
	}
	return lines
}

// tapHead returns the lines of an HTTP message's head (RFC 9112,
// section 2.1) marked who, with credentials hidden, and the fields named
// in hidden: in a request's query, in a redirect's Location and the
// Referer after it, which hold the address a key was sent to.
func tapHead(who string, head []byte, hidden []string) []string {
	var lines []string
	for line := range strings.Lines(string(head)) {
		name, _, _ := strings.Cut(line, ":")
		if slices.ContainsFunc([]string{"Authorization", "Proxy-Authorization",
			"Cookie", "Set-Cookie"}, func(h string) bool {
			return strings.EqualFold(h, name) // in any case
		}) {
			line = name + ": <hidden>\r\n"
		}
		lines = append(lines, who+" "+tapQuote(hideAssignments(line, hidden)))
	}
	return lines
}

// tapQuote returns s in Go's quoted form, at most 200 characters of it,
// then its length in bytes if there were more.
func tapQuote(s string) string {
	if utf8.RuneCountInString(s) <= 200 {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%.200q (%d bytes)", s, len(s))
}

// mediaType returns the media type of the Content-Type in header,
// image/png for "image/png; x=y", or "" for none.
func mediaType(header http.Header) string {
	media, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	return media
}

// isText reports whether a body of the media type is text to show.
func isText(media string) bool {
	return strings.HasPrefix(media, "text/") ||
		strings.HasSuffix(media, "+json") || strings.HasSuffix(media, "+xml") ||
		slices.Contains([]string{"application/json", "application/xml",
			"application/x-www-form-urlencoded"}, media)
}
