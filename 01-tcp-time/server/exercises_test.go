package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"netprog/internal/loopback"
)

// The tests of the README's build-it exercises. Each starts skipped:
// delete its t.Skip line when you start the exercise, and it fails until
// the exercise is done.

func TestServerUTC(t *testing.T) {
	t.Skip("exercise 7: a -utc flag that sends the time in UTC — delete this line to start")
	wantFlag(t, "-utc")
	westOfUTC(t)
	p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-udp", "-utc"}, nil)
	tcp, err := askTime(p.Addr)
	if err != nil {
		t.Fatalf("ask %s: %v", p.Addr, err)
	}
	udp, _ := datagram(t, p.Addr, "")
	for _, reply := range []struct{ network, text string }{{"TCP", tcp}, {"UDP", udp}} {
		text, _ := strings.CutSuffix(reply.text, "\r\n")
		got, err := time.ParseInLocation(layout, text, time.UTC)
		if err != nil {
			t.Errorf("over %s got %q, want the time as %q", reply.network, text, layout)
			continue
		}
		if d := time.Since(got); d < -time.Minute || d > time.Minute {
			t.Errorf("over %s got %q, want the time in UTC, about %q "+
				"(is it local time still? it is 7 hours behind UTC here)",
				reply.network, text, time.Now().UTC().Format(layout))
		}
	}
}

// rfc3339 is what exercise 8 asks for: RFC 3339's date-time with six
// digits of fraction, always, and the zone's offset from UTC, then CRLF.
var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}` +
	`(Z|[+-]\d\d:\d\d)\r\n$`)

func TestServerRFC3339(t *testing.T) {
	t.Skip("exercise 8: a -rfc3339 flag for a time that says its zone — delete this line to start")
	wantFlag(t, "-rfc3339")
	westOfUTC(t)
	p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0", "-udp", "-rfc3339"}, nil)
	tcp, err := askTime(p.Addr)
	if err != nil {
		t.Fatalf("ask %s: %v", p.Addr, err)
	}
	udp, _ := datagram(t, p.Addr, "")
	for _, reply := range []struct{ network, text string }{{"TCP", tcp}, {"UDP", udp}} {
		if !rfc3339.MatchString(reply.text) {
			t.Errorf("over %s got %q, want a time such as %q and CRLF",
				reply.network, reply.text, "2026-11-26T00:10:42.040187-07:00")
			continue
		}
		got, err := time.Parse(time.RFC3339, strings.TrimSuffix(reply.text, "\r\n"))
		if err != nil {
			t.Errorf("over %s got %q, which time.RFC3339 cannot parse: %v",
				reply.network, reply.text, err)
			continue
		}
		if d := time.Since(got); d < -time.Minute || d > time.Minute {
			t.Errorf("over %s got %q, want the time now, such as %q: is the "+
				"offset the zone's? (this test's zone is UTC-7)", reply.network,
				reply.text, time.Now().Format("2006-01-02T15:04:05.000000Z07:00"))
		}
	}
}

// wantFlag fails the test unless the server's command line accepts flag.
func wantFlag(t *testing.T, flag string) {
	t.Helper()
	var stderr bytes.Buffer
	if _, err := parseFlags([]string{flag}, &stderr); err != nil {
		t.Fatalf("the server has no %s flag yet: add it in parseFlags "+
			"(server/main.go); the server said %q", flag,
			strings.SplitN(stderr.String(), "\n", 2)[0])
	}
}

// westOfUTC makes the test's local time zone UTC-7, whatever the
// machine's is, so that local time and UTC differ. Call it before
// starting the server: the zone is put back after the server has stopped.
func westOfUTC(t *testing.T) {
	t.Helper()
	local := time.Local
	t.Cleanup(func() { time.Local = local })
	time.Local = time.FixedZone("UTC-7", -7*60*60)
}
