package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// The tests in this file are about time: deadlines, and how long a slot
// is held. They run serve in a testing/synctest bubble, on an in-memory
// listener, where the clock is fake: the server keeps its real bounds
// (30 seconds, 5 seconds...), a test of them takes microseconds, and a
// busy machine cannot make it fail. A pipe holds no data: each of the
// server's writes waits until the client reads it.

// pipeServer is serve running on a loopback.PipeListener, guarded as
// listenAndServe guards it.
type pipeServer struct {
	ln   *loopback.PipeListener
	logs *loopback.Buffer
	cfg  config
	s    *server
	stop func() error // cancels serve, as Ctrl-C would, and returns its error
}

// startPipe runs serve in stream mode, sending a file of size zero bytes,
// with the server's default bounds, changed by change if it is not nil.
// Call it inside a bubble.
func startPipe(t *testing.T, size int, change func(*config)) *pipeServer {
	t.Helper()
	f, err := load(writeFile(t, "big.bin", make([]byte, size)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	msg, err := f.message("stream")
	if err != nil {
		t.Fatal(err)
	}
	p := &pipeServer{ln: loopback.NewPipeListener(), logs: &loopback.Buffer{},
		cfg: config{timeout: 30 * time.Second, minRate: 1 << 20, maxClients: 100}}
	if change != nil {
		change(&p.cfg)
	}
	logger := log.New(p.logs, "", 0)
	p.s = &server{msg: msg, timeout: p.cfg.timeout, minRate: p.cfg.minRate,
		grace: 10 * time.Second, log: logger}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.s.serve(ctx, p.cfg.guard(p.ln, logger)) }()
	var (
		once    sync.Once
		stopErr error
	)
	p.stop = func() error {
		once.Do(func() {
			cancel()
			stopErr = <-done
		})
		return stopErr
	}
	t.Cleanup(func() { _ = p.stop() }) // the test checks it if it cares
	return p
}

// dial connects a client, which is closed when the test ends.
func (p *pipeServer) dial(t *testing.T) net.Conn {
	t.Helper()
	conn, err := p.ln.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// readSlowly reads 64 KiB from conn every pause, until the server hangs
// up or the test ends.
func readSlowly(t *testing.T, conn net.Conn, pause time.Duration) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			if _, err := io.ReadFull(conn, buf); err != nil {
				return
			}
			time.Sleep(pause)
		}
	}()
	t.Cleanup(func() {
		_ = conn.Close()
		<-done // it ends at its next read
	})
}

// count returns how many lines of the log contain s.
func (p *pipeServer) count(s string) int {
	return strings.Count(p.logs.String(), s)
}

// about returns the lines of the log about the client at addr.
func (p *pipeServer) about(addr string) []string {
	var lines []string
	for line := range strings.Lines(p.logs.String()) {
		if strings.HasPrefix(line, addr+": ") {
			lines = append(lines, strings.TrimSuffix(line, "\n"))
		}
	}
	return lines
}

func TestServerCutsOffStuckClients(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := startPipe(t, 16<<20, nil)
		start := time.Now()
		stuck := p.dial(t).LocalAddr().String() // and never reads

		// Others are served meanwhile, in full.
		reply, err := io.ReadAll(p.dial(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := decodeStream(reply); err != nil {
			t.Fatal(err)
		}

		time.Sleep(p.cfg.timeout - time.Nanosecond)
		synctest.Wait()
		if n := p.count("cut off"); n != 0 {
			t.Fatalf("a client was cut off after %v, want none before %v; "+
				"the log:\n%s", time.Since(start), p.cfg.timeout, p.logs)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if n := p.count(stuck + ": cut off, read nothing for 30s: "); n != 1 {
			said := "nothing"
			if lines := p.about(stuck); lines != nil {
				said = fmt.Sprintf("%q", lines)
			}
			t.Errorf("after 30s the log says %s about the stuck client %s, "+
				"want %q", said, stuck, "cut off, read nothing for 30s")
		}
		// Stopping would wait for the stuck client, had it not been
		// cut off.
		if err := p.stop(); err != nil {
			t.Errorf("serve returned %v, want nil", err)
		}
		if d := time.Since(start); d != p.cfg.timeout {
			t.Errorf("stopped after %v, want at once", d)
		}
	})
}

func TestServerCutsOffSlowClients(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// A client that reads 64 KiB every 20 seconds is never idle
		// for -timeout (30s), but would take 21 minutes for 4 MiB. At
		// -min-rate 1 MiB a second, it has 30s + 4s.
		p := startPipe(t, 4<<20, nil)
		start := time.Now()
		readSlowly(t, p.dial(t), 20*time.Second)
		bound := transferBound(p.s.msg.size, p.cfg.timeout, p.cfg.minRate)
		if bound < 34*time.Second || bound > 35*time.Second {
			t.Fatalf("got a bound of %v for %d bytes, want 30s + 4s", bound, p.s.msg.size)
		}

		time.Sleep(bound - time.Nanosecond)
		synctest.Wait()
		if n := p.count("cut off"); n != 0 {
			t.Fatalf("a client was cut off after %v, want none before %v; "+
				"the log:\n%s", time.Since(start), bound, p.logs)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if n := p.count("slower than -min-rate 1 MiB a second"); n != 1 {
			t.Errorf("the slow client was not cut off after %v; the log:\n%s",
				bound, p.logs)
		}
	})
}

func TestServerSaysBusyAtOnce(t *testing.T) {
	// With every slot taken, a new client is told at once that the
	// server is busy.
	synctest.Test(t, func(t *testing.T) {
		p := startPipe(t, 1<<20, func(c *config) { c.maxClients = 2 })
		stuck := p.dial(t)
		p.dial(t)
		synctest.Wait() // both hold a slot
		start := time.Now()
		reply, err := io.ReadAll(p.dial(t))
		if err != nil {
			t.Fatal(err)
		}
		var busy struct{ Error, Message string }
		if err := json.Unmarshal(reply, &busy); err != nil || busy.Error != "busy" {
			t.Errorf("got %d bytes, starting %q, want a JSON object with "+
				"error busy", len(reply), reply[:min(len(reply), 120)])
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("told after %v, want at once", d)
		}

		// When a slot is free, the next client is served.
		_ = stuck.Close()
		synctest.Wait()
		reply, err = io.ReadAll(p.dial(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := decodeStream(reply); err != nil {
			t.Error(err)
		}
	})
}

func TestServerBusyAnswer(t *testing.T) {
	// The busy answer is one JSON object on one line. The client's
	// tests feed it these bytes: the two programs cannot drift apart
	// without one of them failing.
	want := `{"error":"busy","message":"100 of 100 slots taken"}` + "\n"
	if got := busyAnswer(100); string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestServerShortensBoundsAtCapacity(t *testing.T) {
	// While every slot is taken, a client that pauses for 10s loses its
	// slot after 5s; otherwise it has -timeout, 30s.
	for _, tc := range []struct {
		name       string
		maxClients int
		want       int
	}{
		{"2 of 3 slots taken: a pause of 10s is fine", 3, 0},
		{"every slot taken: a pause of 10s is too long", 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := startPipe(t, 1<<20, func(c *config) { c.maxClients = tc.maxClients })
				readSlowly(t, p.dial(t), 10*time.Second)
				readSlowly(t, p.dial(t), 10*time.Second)
				time.Sleep(20 * time.Second)
				synctest.Wait()
				if n := p.count("cut off, read nothing for 5s"); n != tc.want ||
					p.count("cut off") != tc.want {
					t.Errorf("%d clients cut off (%d after 5s), want %d, after "+
						"5s; the log:\n%s", p.count("cut off"), n, tc.want, p.logs)
				}
			})
		})
	}
}

func TestServerHurriesStuckClientsAtCapacity(t *testing.T) {
	// When the last slot is taken, a client stuck for longer than 5s is
	// cut off at once, not when what was left of its 30s runs out; the
	// one that took the last slot has 5s.
	synctest.Test(t, func(t *testing.T) {
		p := startPipe(t, 1<<20, func(c *config) { c.maxClients = 2 })
		stuck := p.dial(t).LocalAddr().String()
		time.Sleep(10 * time.Second) // it has 20s left
		last := p.dial(t).LocalAddr().String()
		synctest.Wait()
		if n := p.count(stuck + ": cut off, read nothing for 10s"); n != 1 ||
			p.count("cut off") != 1 {
			t.Fatalf("the client stuck for 10s was not cut off at once when "+
				"the last slot was taken; the log:\n%s", p.logs)
		}
		time.Sleep(stressTimeout - time.Nanosecond)
		synctest.Wait()
		if n := p.count("cut off"); n != 1 {
			t.Fatalf("the last client was cut off before 5s; the log:\n%s",
				p.logs)
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if n := p.count(last + ": cut off, read nothing for 5s"); n != 1 {
			t.Errorf("the client that took the last slot was not cut off "+
				"5s later; the log:\n%s", p.logs)
		}
	})
}

func TestServerLogsOnceAtCapacity(t *testing.T) {
	// One line when every slot is taken, however many clients are then
	// told the server is busy; one when calm again; one when full again.
	synctest.Test(t, func(t *testing.T) {
		p := startPipe(t, 1<<20, func(c *config) { c.maxClients = 2 })
		fill := func() (net.Conn, net.Conn) {
			a, b := p.dial(t), p.dial(t)
			synctest.Wait()
			for range 20 {
				if _, err := io.ReadAll(p.dial(t)); err != nil {
					t.Fatal(err)
				}
			}
			return a, b
		}
		a, b := fill()
		if n := p.count("at capacity"); n != 1 {
			t.Errorf("%d lines say at capacity, want 1; the log:\n%s", n, p.logs)
		}
		// Calm again: the slots free, a minute passes.
		_, _ = a.Close(), b.Close()
		time.Sleep(calm)
		if _, err := io.ReadAll(p.dial(t)); err != nil {
			t.Fatal(err)
		}
		if n := p.count("calm again: at most 1 of 2 slots taken for 1m0s; " +
			"20 busy answers meanwhile"); n != 1 {
			t.Errorf("%d lines say calm again, want 1; the log:\n%s", n, p.logs)
		}
		fill()
		if n := p.count("at capacity"); n != 2 {
			t.Errorf("%d lines say at capacity, want 2; the log:\n%s", n, p.logs)
		}
	})
}

func TestServerStopsWithinTheGracePeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := startPipe(t, 1<<20, nil)
		stuck := p.dial(t)
		// Read the header: the transfer has started.
		if _, err := bufio.NewReader(stuck).ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := p.stop(); err != nil {
			t.Errorf("serve returned %v, want nil", err)
		}
		if d := time.Since(start); d != p.s.grace {
			t.Errorf("serve returned after %v, want %v", d, p.s.grace)
		}
		if !strings.Contains(p.logs.String(), "cutting off 1 transfers") {
			t.Errorf("the log does not say it cut the transfer off; the "+
				"log:\n%s", p.logs)
		}
	})
}
