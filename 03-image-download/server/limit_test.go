// This file is the same in every server that bounds its connections:
// 03-image-download/server and 05-sms/server: it tests limit.go. A test
// keeps the copies identical.

package main

import (
	"errors"
	"net"
	"os"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// The limit listener's tests run in a synctest bubble on a pipe
// listener: synctest.Wait returns once every goroutine in the bubble
// waits, so "Accept is still waiting" is a fact, not a guess, and a
// calm minute passes in no time. A pipe holds no data: a Write waits
// until the peer reads, a Read until it writes, and here peers do
// neither, so each call returns only when its deadline passes.

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

// limitAcceptNow dials ln's pipe listener pl and accepts the connection,
// and fails the test if Accept waits instead. The peer's end closes
// when the test ends.
func limitAcceptNow(tb testing.TB, pl *loopback.PipeListener,
	ln net.Listener) *limitConn {
	tb.Helper()
	limitDial(tb, pl, 1)
	ch := limitAcceptLater(ln)
	synctest.Wait()
	select {
	case got := <-ch:
		if got.err != nil {
			tb.Fatalf("Accept: %v", got.err)
		}
		return got.conn.(*limitConn)
	default:
		tb.Fatal("Accept waits, want a connection at once")
		return nil
	}
}

// limitDial dials pl n times; the peers' ends close when the test ends.
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

// limitCall is how one call of Read or Write ended, after how long.
type limitCall struct {
	took time.Duration
	err  error
}

// limitBlock reads from conn, or writes to it, until the deadline the
// set function gives it passes (or one the listener gives it sooner),
// in a goroutine of its own.
func limitBlock(tb testing.TB, conn net.Conn, write bool,
	set func(time.Time) error) <-chan limitCall {
	tb.Helper()
	start := time.Now()
	if err := set(start.Add(time.Minute)); err != nil {
		tb.Fatal(err)
	}
	ch := make(chan limitCall, 1)
	go func() {
		var err error
		if write {
			_, err = conn.Write([]byte("x"))
		} else {
			_, err = conn.Read(make([]byte, 1))
		}
		ch <- limitCall{time.Since(start), err}
	}()
	return ch
}

// limitTook fails the test unless the call behind ch gave up when its
// deadline passed, after want.
func limitTook(tb testing.TB, what string, ch <-chan limitCall,
	want time.Duration) {
	tb.Helper()
	select {
	case got := <-ch:
		if !errors.Is(got.err, os.ErrDeadlineExceeded) {
			tb.Errorf("%s: got error %v, want a deadline exceeded", what,
				got.err)
		}
		if got.took != want {
			tb.Errorf("%s gave up after %v, want %v", what, got.took, want)
		}
	case <-time.After(want + time.Hour):
		tb.Errorf("%s still waits after %v, want it to give up after %v",
			what, want+time.Hour, want)
	}
}

// limitBubble returns a test that runs test in a synctest bubble.
func limitBubble(test func(*testing.T)) func(*testing.T) {
	return func(t *testing.T) { synctest.Test(t, test) }
}

// limitListen returns a limit listener with l (and a stress that does
// nothing, if l has none), on a pipe listener; both close when the test
// ends.
func limitListen(tb testing.TB, l limits) (*loopback.PipeListener,
	*limitListener) {
	tb.Helper()
	if l.stress == nil {
		l.stress = func(bool) {}
	}
	pl := loopback.NewPipeListener()
	ln := newLimitListener(pl, l)
	tb.Cleanup(func() { _ = ln.Close() })
	return pl, ln
}

func TestLimitListener(t *testing.T) {
	t.Run("Accept waits while every slot is taken and goes on when one "+
		"is given back", limitBubble(testLimitWaitsForASlot))
	t.Run("Close wakes an Accept that waits for a slot",
		limitBubble(testLimitCloseWakesAccept))
	t.Run("a connection gives its slot back once, however often it is "+
		"closed", limitBubble(testLimitSlotBackOnce))
	t.Run("with busy, a client beyond max is told at once and holds no "+
		"slot", limitBubble(testLimitBusy))
	t.Run("an Accept that fails gives its slot back",
		limitBubble(testLimitFailedAccept))
}

// testLimitWaitsForASlot: with two slots, the third Accept waits until
// one of the first two connections is closed.
func testLimitWaitsForASlot(t *testing.T) {
	pl, ln := limitListen(t, limits{max: 2, high: 2})
	a := limitAcceptNow(t, pl, ln)
	limitAcceptNow(t, pl, ln)
	limitDial(t, pl, 1)
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
	pl, ln := limitListen(t, limits{max: 1, high: 1})
	limitAcceptNow(t, pl, ln)
	limitDial(t, pl, 1)
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
	pl, ln := limitListen(t, limits{max: 3, high: 3})
	a := limitAcceptNow(t, pl, ln)
	limitAcceptNow(t, pl, ln)
	limitAcceptNow(t, pl, ln)
	for range 3 {
		_ = a.Close() // only the first one does anything
	}
	limitAcceptNow(t, pl, ln) // in a's slot
	limitDial(t, pl, 1)
	limitWaiting(t, limitAcceptLater(ln))
}

// testLimitBusy: with one slot taken, the next two clients are handed
// to busy, at once, while Accept goes on; once the slot is free, the
// next client gets it.
func testLimitBusy(t *testing.T) {
	told := make(chan net.Conn, 10)
	var s limitStress
	pl, ln := limitListen(t, limits{max: 1, high: 1, stress: s.stress,
		busy: func(conn net.Conn) {
			told <- conn
			_ = conn.Close() // a pipe's Close does not fail
		}})
	a := limitAcceptNow(t, pl, ln)
	limitDial(t, pl, 2)
	next := limitAcceptLater(ln)
	limitWaiting(t, next) // for a third client, the two told already
	if len(told) != 2 {
		t.Errorf("busy got %d clients, want 2", len(told))
	}
	s.check(t, true) // once, however many are told
	_ = a.Close()
	limitDial(t, pl, 1)
	if got := <-next; got.err != nil {
		t.Errorf("Accept: got %v, want the client after a slot was freed",
			got.err)
	}
	if len(told) != 2 {
		t.Errorf("busy got %d clients, want the 2 before", len(told))
	}
}

// limitFailing is a listener whose Accept fails, as one does when the
// process has run out of files.
type limitFailing struct{ net.Listener }

func (limitFailing) Accept() (net.Conn, error) {
	return nil, errors.New("too many open files")
}

// testLimitFailedAccept: with one slot, Accept fails twice as the
// listener it wraps does, rather than wait for the slot the first took.
func testLimitFailedAccept(t *testing.T) {
	ln := newLimitListener(limitFailing{loopback.NewPipeListener()},
		limits{max: 1, high: 1, stress: func(bool) {}})
	defer ln.Close() // wakes an Accept left waiting for a slot
	for i := range 2 {
		ch := limitAcceptLater(ln)
		synctest.Wait()
		select {
		case got := <-ch:
			if got.err == nil {
				t.Fatalf("Accept %d: got a connection, want an error", i+1)
			}
		default:
			t.Fatalf("Accept %d waits for a slot, want the error of the "+
				"listener it wraps", i+1)
		}
	}
}

func TestLimitStress(t *testing.T) {
	t.Run("stress(true) once high are open, stress(false) for the first "+
		"connection after a calm with at most half",
		limitBubble(testLimitStress))
	t.Run("the calm starts again when more than half are open",
		limitBubble(testLimitCalmStartsAgain))
	t.Run("with one slot, the connection after a calm keeps the stress, "+
		"without a word", limitBubble(testLimitStressOneSlot))
}

// testLimitStress: with 4 slots, stress begins at 3 connections, and
// ends for the first connection that comes a minute after they are 2
// or fewer; it begins again at 3.
func testLimitStress(t *testing.T) {
	var s limitStress
	pl, ln := limitListen(t, limits{max: 4, high: 3, calm: time.Minute,
		stress: s.stress})
	a, b := limitAcceptNow(t, pl, ln), limitAcceptNow(t, pl, ln)
	s.check(t)
	if a.Stressed() {
		t.Error("Stressed() with 2 of 4 open, want it false")
	}
	c, d := limitAcceptNow(t, pl, ln), limitAcceptNow(t, pl, ln)
	s.check(t, true) // once
	if !a.Stressed() {
		t.Error("Stressed() with 4 of 4 open, want it true")
	}
	_ = d.Close()
	time.Sleep(time.Minute)     // 3 of 4 open: no calm, however long
	_, _ = b.Close(), c.Close() // 1 of 4 open: the calm begins
	time.Sleep(time.Minute - time.Nanosecond)
	_ = limitAcceptNow(t, pl, ln).Close()
	s.check(t, true)
	time.Sleep(time.Nanosecond)
	limitAcceptNow(t, pl, ln) // 2 of 4 open
	s.check(t, true, false)
	if a.Stressed() {
		t.Error("Stressed() after the calm, want it false")
	}
	limitAcceptNow(t, pl, ln)
	s.check(t, true, false, true)
}

// testLimitCalmStartsAgain: a calm of a minute with at most 2 of 4
// open starts again when 3 are open in the middle of it.
func testLimitCalmStartsAgain(t *testing.T) {
	var s limitStress
	pl, ln := limitListen(t, limits{max: 4, high: 4, calm: time.Minute,
		stress: s.stress})
	conns := make([]*limitConn, 4)
	for i := range conns {
		conns[i] = limitAcceptNow(t, pl, ln)
	}
	_, _, _ = conns[0].Close(), conns[1].Close(), conns[2].Close()
	time.Sleep(30 * time.Second)
	e, f := limitAcceptNow(t, pl, ln), limitAcceptNow(t, pl, ln)
	_, _ = e.Close(), f.Close() // the calm starts again, 30s in
	time.Sleep(time.Minute - time.Nanosecond)
	_ = limitAcceptNow(t, pl, ln).Close()
	s.check(t, true)
	time.Sleep(time.Nanosecond)
	limitAcceptNow(t, pl, ln)
	s.check(t, true, false)
}

// testLimitStressOneSlot: with a single slot, the connection that comes
// after a calm fills it again: the server stays under stress, and
// stress is not called.
func testLimitStressOneSlot(t *testing.T) {
	var s limitStress
	pl, ln := limitListen(t, limits{max: 1, high: 1, calm: time.Minute,
		stress: s.stress})
	_ = limitAcceptNow(t, pl, ln).Close()
	time.Sleep(time.Minute)
	if c := limitAcceptNow(t, pl, ln); !c.Stressed() {
		t.Error("Stressed() with 1 of 1 open, want it true")
	}
	s.check(t, true)
}

func TestLimitDeadlines(t *testing.T) {
	t.Run("under stress a read waits at most read from the last work, "+
		"however often its deadline is set", limitBubble(testLimitReads))
	t.Run("when stress begins a read idle for longer gives up at once, "+
		"and one that worked 2s ago has 3s left",
		limitBubble(testLimitReadsHurried))
	t.Run("under stress a write waits at most write from when its "+
		"deadline was set", limitBubble(testLimitWrites))
	t.Run("when stress begins a write stuck for longer gives up at "+
		"once, and one stuck for 2s has 3s left",
		limitBubble(testLimitWritesHurried))
	t.Run("when stress ends the deadlines are as the server set them",
		limitBubble(testLimitDeadlinesBack))
	t.Run("no deadline stays none, and a bound of 0 leaves deadlines "+
		"as set", limitBubble(testLimitNoBound))
}

// limitStressed returns a connection to a listener with max 2 that is
// under stress, with reads and writes bound to 5s.
func limitStressed(tb testing.TB) *limitConn {
	tb.Helper()
	pl, ln := limitListen(tb, limits{max: 2, high: 2, calm: time.Minute,
		read: 5 * time.Second, write: 5 * time.Second})
	a := limitAcceptNow(tb, pl, ln)
	limitAcceptNow(tb, pl, ln)
	_ = a.Close() // stress lasts a minute more
	return limitAcceptNow(tb, pl, ln)
}

// testLimitReads: reads get 5s from the accept whatever deadline the
// server sets, and each Worked gives 5s from then.
func testLimitReads(t *testing.T) {
	c := limitStressed(t)
	time.Sleep(3 * time.Second)
	limitTook(t, "a read with a minute", limitBlock(t, c, false,
		c.SetReadDeadline), 2*time.Second)
	c.Worked()
	limitTook(t, "a read after Worked", limitBlock(t, c, false,
		c.SetDeadline), 5*time.Second)
	c.Worked()
	late := limitBlock(t, c, false, c.SetReadDeadline)
	time.Sleep(time.Second)
	c.Worked() // while the read waits
	limitTook(t, "a read with Worked 1s in", late, 6*time.Second)
}

// testLimitReadsHurried: of three connections waiting in a read with a
// minute, the one that never worked gives up when the third makes the
// server stressed, 10s after it was accepted; the one that worked at
// 8s, 3s later.
func testLimitReadsHurried(t *testing.T) {
	pl, ln := limitListen(t, limits{max: 3, high: 3, calm: time.Minute,
		read: 5 * time.Second})
	idle, busy := limitAcceptNow(t, pl, ln), limitAcceptNow(t, pl, ln)
	idleRead := limitBlock(t, idle, false, idle.SetReadDeadline)
	busyRead := limitBlock(t, busy, false, busy.SetReadDeadline)
	time.Sleep(8 * time.Second)
	busy.Worked()
	time.Sleep(2 * time.Second)
	limitAcceptNow(t, pl, ln)
	limitTook(t, "the idle read", idleRead, 10*time.Second)
	limitTook(t, "the read that worked", busyRead, 13*time.Second)
}

// testLimitWrites: under stress, each write gets 5s from when its
// deadline is set, work or not.
func testLimitWrites(t *testing.T) {
	c := limitStressed(t)
	time.Sleep(10 * time.Second)
	limitTook(t, "a write with a minute", limitBlock(t, c, true,
		c.SetWriteDeadline), 5*time.Second)
	limitTook(t, "a write set by SetDeadline", limitBlock(t, c, true,
		c.SetDeadline), 5*time.Second)
}

// testLimitWritesHurried: of two writes set with a minute, the one set
// 10s before the server is stressed gives up then; the one set 2s
// before, 3s later.
func testLimitWritesHurried(t *testing.T) {
	pl, ln := limitListen(t, limits{max: 3, high: 3, calm: time.Minute,
		write: 5 * time.Second})
	stuck, slow := limitAcceptNow(t, pl, ln), limitAcceptNow(t, pl, ln)
	stuckWrite := limitBlock(t, stuck, true, stuck.SetWriteDeadline)
	time.Sleep(8 * time.Second)
	slowWrite := limitBlock(t, slow, true, slow.SetWriteDeadline)
	time.Sleep(2 * time.Second)
	limitAcceptNow(t, pl, ln)
	limitTook(t, "the write stuck for 10s", stuckWrite, 10*time.Second)
	limitTook(t, "the write stuck for 2s", slowWrite, 5*time.Second)
}

// testLimitDeadlinesBack: a read with an hour, cut to 50s by stress, is
// given its hour back when a connection ends the stress after 40s.
func testLimitDeadlinesBack(t *testing.T) {
	pl, ln := limitListen(t, limits{max: 4, high: 3, calm: 40 * time.Second,
		read: 50 * time.Second})
	c := limitAcceptNow(t, pl, ln)
	a, b := limitAcceptNow(t, pl, ln), limitAcceptNow(t, pl, ln)
	_, _ = a.Close(), b.Close() // a calm of 40s begins
	read := limitBlock(t, c, false, func(time.Time) error {
		return c.SetReadDeadline(time.Now().Add(time.Hour))
	})
	time.Sleep(40 * time.Second)
	limitAcceptNow(t, pl, ln)
	limitTook(t, "a read with an hour", read, time.Hour)
}

// testLimitNoBound: under stress, a read with no deadline still waits,
// and a write bound of 0 leaves a write its minute.
func testLimitNoBound(t *testing.T) {
	pl, ln := limitListen(t, limits{max: 1, high: 1, calm: time.Minute,
		read: 5 * time.Second})
	c := limitAcceptNow(t, pl, ln)
	read := limitBlock(t, c, false, func(time.Time) error {
		return c.SetReadDeadline(time.Time{})
	})
	limitTook(t, "a write with a minute", limitBlock(t, c, true,
		c.SetWriteDeadline), time.Minute)
	select {
	case got := <-read:
		t.Errorf("a read with no deadline gave up after %v (%v), want "+
			"it to wait", got.took, got.err)
	case <-time.After(time.Hour):
	}
	_ = c.Close() // ends the read
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
