// The tests of the build-it exercises: written, and skipped until a
// learner deletes the t.Skip line to start (README, "Build it").

package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// balanceGateway answers method=GetNum: its first failures requests
// with 503 Service Unavailable, the others with 42 messages left. It
// records each request's method and form.
type balanceGateway struct {
	mu       sync.Mutex
	methods  []string
	forms    []url.Values
	failures int
	srv      *httptest.Server
}

func newBalanceGateway(tb testing.TB, failures int) *balanceGateway {
	tb.Helper()
	g := &balanceGateway{failures: failures}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter,
		r *http.Request) {
		_ = r.ParseForm() // a bad form shows in the test's checks
		g.mu.Lock()
		defer g.mu.Unlock()
		g.methods = append(g.methods, r.URL.Query().Get("method"))
		g.forms = append(g.forms, r.PostForm)
		if len(g.forms) <= g.failures {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, `{"code":2,"msg":"查询成功","num":42}`)
	}))
	tb.Cleanup(g.srv.Close)
	return g
}

func (g *balanceGateway) asked() ([]string, []url.Values) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.methods...),
		append([]url.Values(nil), g.forms...)
}

func TestBalanceFlag(t *testing.T) {
	t.Skip("exercise 11: -balance asks for the messages left, and may ask again — delete this line to start")
	// Asking how many messages are left changes nothing: unlike a send
	// (TestBadAnswers: sent once only), the question may be asked again.
	t.Run("-balance prints what is left, asking again after a 503", func(t *testing.T) {
		g := newBalanceGateway(t, 1)
		stdout, _, err := sendSMS(t, g.srv.URL, env, "-balance")
		if errors.Is(err, errUsage) {
			t.Fatalf("got %s: the client has no -balance flag yet", errText(err))
		}
		if err != nil {
			t.Fatalf("got %s, want the balance after one 503", errText(err))
		}
		if want := "42 messages left\n"; stdout != want {
			t.Errorf("got %q, want %q", stdout, want)
		}
		methods, forms := g.asked()
		if len(forms) != 2 {
			t.Fatalf("got %d posts, want 2: the question again after the 503",
				len(forms))
		}
		for i, form := range forms {
			ts := form.Get("time")
			want := signature("s3cret-key",
				url.Values{"account": {"C12345"}, "time": {ts}})
			if methods[i] != "GetNum" || form.Get("account") != "C12345" ||
				form.Get("password") != want || ts == "" {
				t.Errorf("post %d: got method %q, form %q; want method GetNum, "+
					"account C12345, signed as a send with no number and no "+
					"content", i+1, methods[i], form.Encode())
			}
		}
	})

	t.Run("-balance gives up after a few tries", func(t *testing.T) {
		g := newBalanceGateway(t, 100)
		stdout, _, err := sendSMS(t, g.srv.URL, env, "-balance")
		if errors.Is(err, errUsage) {
			t.Fatalf("got %s: the client has no -balance flag yet", errText(err))
		}
		if err == nil || !strings.Contains(err.Error(), "503") {
			t.Errorf("got %s, want an error that says 503", errText(err))
		}
		if _, forms := g.asked(); len(forms) < 2 || len(forms) > 3 {
			t.Errorf("got %d posts, want 2 or 3: a few tries, not forever",
				len(forms))
		}
		if stdout != "" {
			t.Errorf("printed %q, want nothing", stdout)
		}
	})
}
