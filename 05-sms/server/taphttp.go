// This file is the same in 03-image-download/client,
// 03-image-download/server, 05-sms/client and 05-sms/server; a test keeps
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
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

const maxTapBody = 4 << 10 // the most of one text body -v shows, in bytes

// tapTransport returns an http.RoundTripper that sends each request
// through rt (nil: http.DefaultTransport) and prints, for -v, the
// exchange once the program is done with the answer's body: a note "*"
// of the connection (new, or kept alive), each message's head as
// net/http/httputil dumps it, and its body as far as the program read
// it, each line marked "C:" (the client sent it) or "S:" and quoted.
// Credential headers and the fields named in hidden read <hidden>. An
// exchange is one call of log: those in flight at once never mix.
func tapTransport(rt http.RoundTripper, log *log.Logger,
	hidden ...string) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		// req's head as http.Transport writes it (it fails where sending does)
		head, _ := httputil.DumpRequestOut(
			req.Clone(context.WithoutCancel(req.Context())), false)
		sent := &tapBody{ReadCloser: req.Body, head: head,
			media: mediaType(req.Header)}
		var note atomic.Value // []string{the connection's note}, once it has one
		var wrote atomic.Bool
		out := req.WithContext(httptrace.WithClientTrace(req.Context(),
			&httptrace.ClientTrace{
				GotConn: func(i httptrace.GotConnInfo) { note.Store(connNote(i)) },
				WroteRequest: func(info httptrace.WroteRequestInfo) {
					wrote.Store(info.Err == nil)
				},
			}))
		if req.Body != nil && req.Body != http.NoBody {
			out.Body = sent
		}
		resp, err := rt.RoundTrip(out)
		lines, _ := note.Load().([]string)
		if err == nil || wrote.Load() {
			lines = append(lines, sent.lines("C:", hidden)...)
		}
		if err != nil {
			what := "not sent"
			if wrote.Load() {
				what = "no answer" // the server may have acted on it
			}
			log.Print(strings.Join(append(lines, fmt.Sprintf("* %s: %q", what,
				hideAssignments(err.Error(), hidden))), "\n"))
			return nil, err
		}
		head, _ = httputil.DumpResponse(resp, false) // reads no body
		got := &tapBody{ReadCloser: resp.Body, head: head,
			media: mediaType(resp.Header)}
		got.end = func() {
			log.Print(strings.Join(append(lines, got.lines("S:", hidden)...), "\n"))
		}
		resp.Body = got
		return resp, nil
	})
}

// roundTripper is to http.RoundTripper what HandlerFunc is to Handler.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// connNote notes the connection a request went on, and its TLS if any.
func connNote(info httptrace.GotConnInfo) []string {
	how := map[bool]string{false: "new", true: "reused"}[info.Reused]
	note := fmt.Sprintf("* %s connection %s -> %s", how,
		info.Conn.LocalAddr(), info.Conn.RemoteAddr())
	if tc, ok := info.Conn.(*tls.Conn); ok {
		s := tc.ConnectionState()
		note += ", " + tls.VersionName(s.Version) + ", " +
			tls.CipherSuiteName(s.CipherSuite)
	}
	return []string{note}
}

// tapHandler returns an http.Handler that serves with h and prints each
// exchange as tapTransport does, once h has answered, every line after
// the client's address. The answer shows the headers h set, not those
// net/http adds (Date, and Content-Length or Transfer-Encoding).
func tapHandler(h http.Handler, log *log.Logger, hidden ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		head, _ := httputil.DumpRequest(r, false) // reads no body
		in := &tapBody{ReadCloser: r.Body, head: head,
			media: mediaType(r.Header)}
		tapped := *r // a handler leaves r as it is, but for its body
		tapped.Body = in
		out := &tapWriter{ResponseWriter: w}
		h.ServeHTTP(out, &tapped)
		lines := append(in.lines(r.RemoteAddr+" C:", hidden),
			out.answer(r).lines(r.RemoteAddr+" S:", hidden)...)
		log.Print(strings.Join(lines, "\n"))
	})
}

// tapWriter is a handler's http.ResponseWriter, which notes the status,
// the headers as they were then, and the body.
type tapWriter struct {
	http.ResponseWriter
	status int
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

// answer returns the answer to r as net/http sends it.
func (w *tapWriter) answer(r *http.Request) *tapBody {
	if w.status == 0 { // the handler wrote nothing: net/http sends 200
		w.status, w.header = http.StatusOK, w.Header()
	}
	var head strings.Builder
	fmt.Fprintf(&head, "%s %03d %s\r\n", r.Proto, w.status, cmp.Or(
		http.StatusText(w.status), fmt.Sprint("status code ", w.status)))
	_ = w.header.Write(&head) // a strings.Builder takes every write
	if w.body.head = []byte(head.String() + "\r\n"); r.Method == http.MethodHead {
		w.body.size = 0 // net/http sends no body, whatever the handler wrote
	}
	return &w.body
}

// tapBody is an HTTP message: its head, and its body as it crosses,
// counted, and kept up to maxTapBody bytes if it is text. end, if set, is
// called once the body ends, fails or is closed.
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
	if b.end != nil {
		defer b.once.Do(b.end)
	}
	return b.ReadCloser.Close()
}

func (b *tapBody) add(p []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.size += int64(len(p))
	if room := maxTapBody - len(b.kept); textMedia.MatchString(b.media) && room > 0 {
		b.kept = append(b.kept, p[:min(room, len(p))]...)
	}
}

// lines returns the message as -v shows it, each line after mark: the
// head (RFC 9112, section 2.1), then text a line at a time, and how many
// bytes more crossed; anything else by its size and type. Hidden are
// credential headers and the fields named in hidden, in a query, a form,
// a redirect's Location and page, which hold the address a key went to.
func (b *tapBody) lines(mark string, hidden []string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	text := credential.ReplaceAllString(string(b.head), "${1}: <hidden>")
	if b.media == "application/x-www-form-urlencoded" {
		text = hideAssignments(text, hidden) + hideFields(string(b.kept), hidden)
	} else {
		text = hideAssignments(text+string(b.kept), hidden)
	}
	var lines []string
	for line := range strings.Lines(text) {
		lines = append(lines, fmt.Sprintf("%s %q", mark, line))
	}
	switch more := b.size - int64(len(b.kept)); {
	case !textMedia.MatchString(b.media) && more > 0:
		lines = append(lines, fmt.Sprintf("%s <%d bytes of %s>", mark, more,
			cmp.Or(b.media, "unknown type")))
	case more > 0:
		lines = append(lines, fmt.Sprintf("%s <%d more bytes>", mark, more))
	}
	return lines
}

// credential is a header that carries credentials, in any case.
var credential = regexp.MustCompile(
	`(?im)^(authorization|proxy-authorization|cookie|set-cookie):[^\r\n]*`)

// mediaType returns the media type of a Content-Type: image/png for
// "image/png; x=y".
func mediaType(header http.Header) string {
	media, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	return media
}

// textMedia matches the media types of a body that -v shows as text.
var textMedia = regexp.MustCompile(`^text/|(json|xml|urlencoded)$`)

// hideFields hides the value of every field named in hidden in a form,
// application/x-www-form-urlencoded: a=1&password=<hidden>.
func hideFields(form string, hidden []string) string {
	fields := strings.Split(form, "&")
	for i, field := range fields {
		if name, _, _ := strings.Cut(field, "="); isHidden(name, hidden) {
			fields[i] = name + "=<hidden>"
		}
	}
	return strings.Join(fields, "&")
}

// assignment is name=value in a query, a header or a page: the value
// runs to & or a space, but for a quote mark that ends a quoted string.
var assignment = regexp.MustCompile(`[^&?;\s"'<>#=/]+=[^&\s]*[^&\s"]`)

// hideAssignments hides the value of name= anywhere in text.
func hideAssignments(text string, hidden []string) string {
	return assignment.ReplaceAllStringFunc(text, func(s string) string {
		if name, _, _ := strings.Cut(s, "="); isHidden(name, hidden) {
			return name + "=<hidden>"
		}
		return s
	})
}

// isHidden reports whether name is one of hidden, in any case and however
// escaped (k%65y is key); one that cannot be unescaped might be one.
func isHidden(name string, hidden []string) bool {
	n, err := url.QueryUnescape(name)
	return err != nil || slices.ContainsFunc(hidden, func(h string) bool {
		return strings.EqualFold(h, n)
	})
}
