// This file is the same in both HTTP servers: 03-image-download/server and
// 05-sms/server: it tests limit.go. A test keeps the copies identical.

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// The limit listener's tests run in a synctest bubble on a pipe
// listener: synctest.Wait returns once every goroutine in the bubble
// waits, so "Accept is still waiting" is a fact, not a guess, and the
// calm minute passes in no time.

// limitAccepted is what one call of Accept returned.
type limitAccepted struct {
	conn net.Conn
	err  error
}

// limitAcceptLater calls Accept in a goroutine of its own.
func limitAcceptLater(ln net.Listener) <-chan limitAccepted {
	ch := make(chan limitAccepted, 1)
	go func() {
		conn, err := ln.Accept()
		ch <- limitAccepted{conn, err}
	}()
	return ch
}

// limitAcceptNow accepts a connection already dialed, and fails the
// test if Accept waits instead.
func limitAcceptNow(tb testing.TB, ln net.Listener) net.Conn {
	tb.Helper()
	ch := limitAcceptLater(ln)
	synctest.Wait()
	select {
	case got := <-ch:
		if got.err != nil {
			tb.Fatalf("Accept: %v", got.err)
		}
		return got.conn
	default:
		tb.Fatal("Accept waits, want a connection at once")
		return nil
	}
}

// limitDial dials pl n times; the connections close when the test ends.
func limitDial(tb testing.TB, pl *loopback.PipeListener, n int) {
	tb.Helper()
	for range n {
		conn, err := pl.Dial()
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = conn.Close() }) // a pipe's Close does not fail
	}
}

// limitWaiting fails the test unless the Accept behind ch still waits.
func limitWaiting(tb testing.TB, ch <-chan limitAccepted) {
	tb.Helper()
	synctest.Wait()
	select {
	case got := <-ch:
		tb.Fatalf("Accept returned (error %v), want it to wait for a slot",
			got.err)
	default:
	}
}

// limitStress records the calls of stress.
type limitStress struct {
	mu    sync.Mutex
	calls []bool
}

func (s *limitStress) stress(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, on)
}

func (s *limitStress) check(tb testing.TB, want ...bool) {
	tb.Helper()
	synctest.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Equal(s.calls, want) {
		tb.Errorf("got stress calls %v, want %v", s.calls, want)
	}
}

func TestLimitListener(t *testing.T) {
	t.Run("Accept waits while every slot is taken and goes on when one "+
		"is given back", limitBubble(testLimitWaitsForASlot))
	t.Run("Close wakes an Accept that waits for a slot",
		limitBubble(testLimitCloseWakesAccept))
	t.Run("a connection gives its slot back once, however often it is "+
		"closed", limitBubble(testLimitSlotBackOnce))
	t.Run("stress(true) once when every slot is taken, stress(false) "+
		"after a calm minute", limitBubble(testLimitStress))
	t.Run("a listener with one slot comes out of stress too",
		limitBubble(testLimitStressOneSlot))
}

func TestConnCap(t *testing.T) {
	tests := []struct {
		name     string
		maxConns int
		files    uint64
		want     int
	}{
		{"no limit on open files (Windows): -max-conns as given", 256, 0, 256},
		{"room for -max-conns and the spare files: as given", 256, 1024, 256},
		{"just room enough: as given", 256, 256 + spareFiles, 256},
		{"ulimit -n 256: the spare files kept, the rest for connections",
			256, 256, 256 - spareFiles},
		{"ulimit -n below the spare files: one connection still", 256, 8, 1},
		{"an unlimited limit: as given", 256, ^uint64(0), 256},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := connCap(tc.maxConns, tc.files); got != tc.want {
				t.Errorf("connCap(%d, %d) = %d, want %d",
					tc.maxConns, tc.files, got, tc.want)
			}
		})
	}
}

// limitBubble returns a test that runs test in a synctest bubble.
func TestServeKeepsUnderTheOpenFileLimit(t *testing.T) {
	// A -max-conns as large as the open-file limit: serve lowers it, and
	// says so as it starts.
	files := openFiles()
	if files == 0 || files > 1<<40 {
		t.Skipf("no open-file limit here to keep under (%d)", files)
	}
	var out loopback.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve starts, then stops at once
	err := serve(ctx, loopback.NewPipeListener(), http.NotFoundHandler(),
		int(files), log.New(&out, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("ulimit -n is %d: at most %d connections at once",
		files, files-spareFiles)
	if !strings.Contains(out.String(), want) {
		t.Errorf("got log %q, want %q in it", out.String(), want)
	}
}

func limitBubble(test func(*testing.T)) func(*testing.T) {
	return func(t *testing.T) { synctest.Test(t, test) }
}

// testLimitWaitsForASlot: with two slots, the third Accept waits until
// one of the first two connections is closed.
func testLimitWaitsForASlot(t *testing.T) {
	pl := loopback.NewPipeListener()
	ln := newLimitListener(pl, 2, func(bool) {})
	defer ln.Close()
	limitDial(t, pl, 3)
	a := limitAcceptNow(t, ln)
	limitAcceptNow(t, ln)
	third := limitAcceptLater(ln)
	limitWaiting(t, third)
	_ = a.Close() // a pipe's Close does not fail
	if got := <-third; got.err != nil {
		t.Errorf("Accept: got %v, want the third connection", got.err)
	}
}

// testLimitCloseWakesAccept: closing the listener ends an Accept that
// waits for a slot with net.ErrClosed.
func testLimitCloseWakesAccept(t *testing.T) {
	pl := loopback.NewPipeListener()
	ln := newLimitListener(pl, 1, func(bool) {})
	limitDial(t, pl, 2)
	limitAcceptNow(t, ln)
	waiting := limitAcceptLater(ln)
	limitWaiting(t, waiting)
	if err := ln.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if got := <-waiting; !errors.Is(got.err, net.ErrClosed) {
		t.Errorf("Accept: got error %v, want net.ErrClosed", got.err)
	}
}

// testLimitSlotBackOnce: closing a connection three times frees one
// slot, not three.
func testLimitSlotBackOnce(t *testing.T) {
	pl := loopback.NewPipeListener()
	ln := newLimitListener(pl, 3, func(bool) {})
	defer ln.Close()
	limitDial(t, pl, 5)
	a := limitAcceptNow(t, ln)
	limitAcceptNow(t, ln)
	limitAcceptNow(t, ln)
	for range 3 {
		_ = a.Close() // only the first one does anything
	}
	limitAcceptNow(t, ln) // in a's slot
	limitWaiting(t, limitAcceptLater(ln))
}

// testLimitStress: the listener calls stress(true) when an Accept
// waits for a slot, stress(false) once it has been calm for a minute,
// and stress(true) again when it fills up again.
func testLimitStress(t *testing.T) {
	pl := loopback.NewPipeListener()
	var s limitStress
	ln := newLimitListener(pl, 4, s.stress)
	defer ln.Close()
	limitDial(t, pl, 5)
	conns := make([]net.Conn, 4)
	for i := range conns {
		conns[i] = limitAcceptNow(t, ln)
	}
	s.check(t) // full, but nobody waits yet
	fifth := limitAcceptLater(ln)
	s.check(t, true)
	_ = conns[0].Close()
	got := <-fifth
	if got.err != nil {
		t.Fatalf("Accept: %v", got.err)
	}
	for _, conn := range append(conns[1:], got.conn) {
		_ = conn.Close()
	}

	// Empty, but full a moment ago: still under stress.
	limitDial(t, pl, 1)
	_ = limitAcceptNow(t, ln).Close()
	time.Sleep(calm - time.Second)
	limitDial(t, pl, 1)
	_ = limitAcceptNow(t, ln).Close()
	s.check(t, true)

	time.Sleep(time.Second)
	limitDial(t, pl, 1)
	calmConn := limitAcceptNow(t, ln)
	s.check(t, true, false)

	// Full again: under stress again.
	limitDial(t, pl, 3)
	for range 3 {
		limitAcceptNow(t, ln)
	}
	waiting := limitAcceptLater(ln)
	s.check(t, true, false, true)
	_ = calmConn.Close()
	limitDial(t, pl, 1)
	<-waiting
}

// testLimitStressOneSlot: a listener with a single slot, full as soon
// as it has one connection, still leaves stress after a calm minute.
func testLimitStressOneSlot(t *testing.T) {
	pl := loopback.NewPipeListener()
	var s limitStress
	ln := newLimitListener(pl, 1, s.stress)
	defer ln.Close()
	limitDial(t, pl, 1)
	a := limitAcceptNow(t, ln)
	waiting := limitAcceptLater(ln)
	s.check(t, true)
	_ = a.Close()
	limitDial(t, pl, 1)
	_ = (<-waiting).conn.Close()
	time.Sleep(calm)
	limitDial(t, pl, 1)
	limitAcceptNow(t, ln)
	s.check(t, true, false)
}
