// This file is the same in both HTTP clients: 03-image-download/client and
// 05-sms/client. A test keeps the copies identical.

package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/http/httputil"
	"sync"
)

// transport returns rt, and with -v an http.RoundTripper that prints each
// exchange through rt: the request as http.Transport writes it in
// HTTP/1.1 (over HTTP/2 the same fields travel in binary frames), marked
// "C:", then the response's status line, headers and body, marked "S:".
// It is to an HTTP client what wrapping the connection is to a program
// that speaks in lines: every request and every answer passes through it.
// An exchange is printed whole, once its answer has come, so that those
// of requests in flight at once never mix. The values of query and form
// fields named in hidden read <hidden>, as those of credential headers
// do. A nil rt means http.DefaultTransport.
func (l *wire) transport(rt http.RoundTripper, hidden ...string) http.RoundTripper {
	if l == nil {
		return rt
	}
	if rt == nil {
		rt = http.DefaultTransport
	}
	return &wireTransport{rt: rt, l: l, hidden: hidden}
}

type wireTransport struct {
	rt     http.RoundTripper
	l      *wire
	hidden []string
	mu     sync.Mutex // held while an exchange is printed
}

func (t *wireTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sent := t.request(req)
	var trace wireTrace
	ctx := httptrace.WithClientTrace(req.Context(), trace.hooks())
	resp, err := t.rt.RoundTrip(req.WithContext(ctx))
	var answer string
	if err == nil {
		answer = t.response(resp)
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	conn, wrote := trace.result()
	if conn != "" {
		t.l.note("%s", conn)
	}
	switch {
	case err == nil:
		t.l.line("C:", sent)
		t.l.line("S:", answer)
	case wrote:
		t.l.line("C:", sent)
		t.l.note("no answer: %s", quote(err.Error()))
	default:
		t.l.note("not sent: %s", quote(err.Error()))
	}
	return resp, err
}

// request shows req as it goes out: httputil.DumpRequestOut writes it
// through an http.Transport of its own, headers the transport adds
// included, and the body comes from a copy (GetBody), so that req itself
// is left as it is.
func (t *wireTransport) request(req *http.Request) string {
	// Not canceled with req: the copy goes nowhere, it only writes.
	dumped := req.Clone(context.WithoutCancel(req.Context()))
	head, err := httputil.DumpRequestOut(dumped, false)
	if err != nil {
		return fmt.Sprintf("%s %s (not shown: %v)", req.Method, req.URL.Path, err)
	}
	var kept []byte
	if req.GetBody != nil && req.ContentLength != 0 {
		if body, err := req.GetBody(); err == nil {
			// A copy in memory: reading it cannot fail.
			kept, _ = io.ReadAll(io.LimitReader(body, maxWireBody))
			_ = body.Close()
		}
	}
	return wireHead(head, t.hidden) +
		wireBody(req.Header.Get("Content-Type"), kept, req.ContentLength, t.hidden)
}

// response shows resp. A text body is read here, up to maxWireBody bytes,
// and resp.Body is made to give the program those bytes, then the rest,
// as if they had not been read; any other body, a picture, is left to
// the program and shown by the length the server gave.
func (t *wireTransport) response(resp *http.Response) string {
	// Reads nothing: with false, only the status line and the headers.
	head, _ := httputil.DumpResponse(resp, false)
	ctype := resp.Header.Get("Content-Type")
	shown := wireHead(head, t.hidden)
	switch {
	case resp.Request != nil && resp.Request.Method == http.MethodHead:
		return shown // the length is the body's that a GET would get
	case !isText(mediaType(ctype)):
		return shown + wireBody(ctype, nil, resp.ContentLength, t.hidden)
	}
	start, err := io.ReadAll(io.LimitReader(resp.Body, maxWireBody+1))
	var rest io.Reader = resp.Body
	if err != nil {
		rest = failedReader{err} // the program gets the error in its turn
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(start), rest), resp.Body}
	size := int64(len(start))
	if size > maxWireBody {
		start, size = start[:maxWireBody], resp.ContentLength
	}
	return shown + wireBody(ctype, start, size, t.hidden)
}

// failedReader fails every Read with err.
type failedReader struct{ err error }

func (r failedReader) Read([]byte) (int, error) { return 0, r.err }

// wireTrace is what net/http/httptrace tells of one request: the
// connection it went on (a new one, or one kept alive after an earlier
// answer), and whether the request was written to it.
type wireTrace struct {
	mu    sync.Mutex
	conn  string
	wrote bool
}

func (w *wireTrace) hooks() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			how := "new connection"
			if info.Reused {
				how = "reused connection" // kept alive after an answer
			}
			c := info.Conn
			conn := fmt.Sprintf("%s %s -> %s", how, c.LocalAddr(), c.RemoteAddr())
			if tc, ok := c.(*tls.Conn); ok {
				state := tc.ConnectionState()
				conn += ", " + tls.VersionName(state.Version) + ", " +
					tls.CipherSuiteName(state.CipherSuite)
			}
			w.mu.Lock()
			defer w.mu.Unlock()
			w.conn = conn
		},
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.wrote = info.Err == nil
		},
	}
}

func (w *wireTrace) result() (conn string, wrote bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conn, w.wrote
}
