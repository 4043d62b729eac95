// Tests of limit.go, the same file in 02-file-transfer/server,
// 03-image-download/server, 04-email/server and 05-sms/server; a test keeps
// the copies identical.

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
// calm minute passes in no time. A pipe holds no data, and the peers
// here neither send nor read: a Read or Write on the server's end
// returns only when its deadline passes.

// limitPipe is a limit listener on a pipe listener, which keeps the
// calls of stress. Both close when the test ends.
type limitPipe struct {
	*limitListener
	pl    *loopback.PipeListener
	mu    sync.Mutex
	calls []bool
}

func newLimitPipe(tb testing.TB, l limits) *limitPipe {
	tb.Helper()
	p := &limitPipe{pl: loopback.NewPipeListener()}
	l.stress = func(on bool) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.calls = append(p.calls, on)
	}
	p.limitListener = newLimitListener(p.pl, l)
	tb.Cleanup(func() { _ = p.Close() })
	return p
}

// dial connects a peer, which hangs up when the test ends.
func (p *limitPipe) dial(tb testing.TB) {
	tb.Helper()
	conn, err := p.pl.Dial()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close() }) // a pipe's Close does not fail
}

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

// accept dials and accepts a connection, and fails the test if Accept
// waits instead.
func (p *limitPipe) accept(tb testing.TB) *limitConn {
	tb.Helper()
	p.dial(tb)
	ch := limitAcceptLater(p)
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

// limitWaiting fails the test unless the Accept behind ch still waits.
func limitWaiting(tb testing.TB, ch <-chan limitAccepted) {
	tb.Helper()
	synctest.Wait()
	select {
	case got := <-ch:
		tb.Fatalf("Accept returned (error %v), want it to wait", got.err)
	default:
	}
}

// check fails the test unless stress was called with want.
func (p *limitPipe) check(tb testing.TB, want ...bool) {
	tb.Helper()
	synctest.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !slices.Equal(p.calls, want) {
		tb.Errorf("got stress calls %v, want %v", p.calls, want)
	}
}

// limitCall is how a Read or Write ended, and after how long.
type limitCall struct {
	took time.Duration
	err  error
}

// limitBlock reads from conn, or writes to it, in a goroutine of its
// own, after setting a deadline a minute away with set.
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

// limitTook fails the test unless the call behind ch gave up at its
// deadline, want after it began.
func limitTook(tb testing.TB, what string, ch <-chan limitCall,
	want time.Duration) {
	tb.Helper()
	select {
	case got := <-ch:
		if got.took != want || !errors.Is(got.err, os.ErrDeadlineExceeded) {
			tb.Errorf("%s gave up after %v (%v), want a deadline after %v",
				what, got.took, got.err, want)
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

func TestLimitListener(t *testing.T) {
	t.Run("Accept waits while every slot is taken, and goes on when a "+
		"connection is closed, once however often",
		limitBubble(func(t *testing.T) {
			p := newLimitPipe(t, limits{max: 2, high: 2})
			a := p.accept(t)
			p.accept(t)
			p.dial(t)
			third := limitAcceptLater(p)
			limitWaiting(t, third)
			for range 3 {
				_ = a.Close() // only the first one does anything
			}
			if got := <-third; got.err != nil {
				t.Errorf("Accept: got %v, want the third connection", got.err)
			}
			p.dial(t)
			limitWaiting(t, limitAcceptLater(p))
		}))

	t.Run("Close wakes an Accept that waits for a slot",
		limitBubble(func(t *testing.T) {
			p := newLimitPipe(t, limits{max: 1, high: 1})
			p.accept(t)
			p.dial(t)
			waiting := limitAcceptLater(p)
			limitWaiting(t, waiting)
			if err := p.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if got := <-waiting; !errors.Is(got.err, net.ErrClosed) {
				t.Errorf("Accept: got error %v, want net.ErrClosed", got.err)
			}
		}))
}

func TestLimitBusy(t *testing.T) {
	t.Run("with busy, clients beyond max are told at once and hold no "+
		"slot, and stress is called once", limitBubble(func(t *testing.T) {
		told := make(chan net.Conn, 10)
		p := newLimitPipe(t, limits{max: 1, high: 1, busy: func(c net.Conn) {
			told <- c
			_ = c.Close() // a pipe's Close does not fail
		}})
		a := p.accept(t)
		p.dial(t)
		p.dial(t)
		next := limitAcceptLater(p)
		limitWaiting(t, next) // for a third client, the two told already
		if len(told) != 2 {
			t.Errorf("busy got %d clients, want 2", len(told))
		}
		p.check(t, true)
		_ = a.Close()
		p.dial(t)
		if got := <-next; got.err != nil || len(told) != 2 {
			t.Errorf("Accept: got %v, and %d told, want the client that "+
				"came after a slot was freed, and the 2 told before",
				got.err, len(told))
		}
	}))
}

// limitFailing is a listener whose Accept fails, as one does when the
// process has run out of files.
type limitFailing struct{ net.Listener }

func (limitFailing) Accept() (net.Conn, error) {
	return nil, errors.New("too many open files")
}

func TestLimitFailedAccept(t *testing.T) {
	t.Run("an Accept that fails gives its slot back",
		limitBubble(func(t *testing.T) {
			ln := newLimitListener(limitFailing{loopback.NewPipeListener()},
				limits{max: 1, high: 1})
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
					t.Fatalf("Accept %d waits for a slot, want the error of "+
						"the listener it wraps", i+1)
				}
			}
		}))
}

func TestLimitStress(t *testing.T) {
	t.Run("stress(true) once high are open, stress(false) for the first "+
		"connection after a calm with at most half", limitBubble(func(t *testing.T) {
		p := newLimitPipe(t, limits{max: 4, high: 3, calm: time.Minute})
		a, b := p.accept(t), p.accept(t)
		p.check(t)
		c, d := p.accept(t), p.accept(t)
		p.check(t, true)
		if !a.Stressed() {
			t.Error("Stressed() with 4 of 4 open, want it true")
		}
		_ = d.Close()
		time.Sleep(time.Minute)     // 3 of 4 open: no calm, however long
		_, _ = b.Close(), c.Close() // 1 of 4 open: the calm begins
		time.Sleep(time.Minute - time.Nanosecond)
		_ = p.accept(t).Close()
		p.check(t, true)
		time.Sleep(time.Nanosecond)
		p.accept(t) // 2 of 4 open
		p.check(t, true, false)
		if a.Stressed() {
			t.Error("Stressed() after the calm, want it false")
		}
		p.accept(t)
		p.check(t, true, false, true)
	}))

	t.Run("the calm starts again when more than half are open",
		limitBubble(func(t *testing.T) {
			p := newLimitPipe(t, limits{max: 4, high: 4, calm: time.Minute})
			a, b, c := p.accept(t), p.accept(t), p.accept(t)
			p.accept(t)
			_, _, _ = a.Close(), b.Close(), c.Close()
			time.Sleep(30 * time.Second)
			e, f := p.accept(t), p.accept(t) // 3 of 4 open
			_, _ = e.Close(), f.Close()
			time.Sleep(time.Minute - time.Nanosecond)
			_ = p.accept(t).Close()
			p.check(t, true)
			time.Sleep(time.Nanosecond)
			p.accept(t)
			p.check(t, true, false)
		}))

	t.Run("with one slot, the connection after a calm keeps the stress, "+
		"without a word", limitBubble(func(t *testing.T) {
		p := newLimitPipe(t, limits{max: 1, high: 1, calm: time.Minute})
		_ = p.accept(t).Close()
		time.Sleep(time.Minute)
		if c := p.accept(t); !c.Stressed() {
			t.Error("Stressed() with 1 of 1 open, want it true")
		}
		p.check(t, true)
	}))
}

// limitStressed returns a connection, accepted under stress, to a
// listener that bounds reads and writes to 5s.
func limitStressed(tb testing.TB) *limitConn {
	tb.Helper()
	p := newLimitPipe(tb, limits{max: 2, high: 2, calm: time.Minute,
		read: 5 * time.Second, write: 5 * time.Second})
	a := p.accept(tb)
	p.accept(tb)
	_ = a.Close() // stress lasts a minute more
	return p.accept(tb)
}

func TestLimitReads(t *testing.T) {
	t.Run("under stress a read waits at most read from the last work, "+
		"however often its deadline is set", limitBubble(func(t *testing.T) {
		c := limitStressed(t)
		time.Sleep(3 * time.Second)
		limitTook(t, "a read 3s after the accept", limitBlock(t, c, false,
			c.SetReadDeadline), 2*time.Second)
		c.Worked()
		limitTook(t, "a read after Worked", limitBlock(t, c, false,
			c.SetDeadline), 5*time.Second)
		c.Worked()
		late := limitBlock(t, c, false, c.SetReadDeadline)
		time.Sleep(time.Second)
		c.Worked() // while the read waits
		limitTook(t, "a read with Worked 1s in", late, 6*time.Second)
	}))

	t.Run("when stress begins a read idle for longer gives up at once, "+
		"and one that worked 2s ago has 3s left", limitBubble(func(t *testing.T) {
		p := newLimitPipe(t, limits{max: 3, high: 3, read: 5 * time.Second})
		idle, busy := p.accept(t), p.accept(t)
		idleRead := limitBlock(t, idle, false, idle.SetReadDeadline)
		busyRead := limitBlock(t, busy, false, busy.SetReadDeadline)
		time.Sleep(8 * time.Second)
		busy.Worked()
		time.Sleep(2 * time.Second)
		p.accept(t)
		limitTook(t, "the idle read", idleRead, 10*time.Second)
		limitTook(t, "the read that worked", busyRead, 13*time.Second)
	}))

	t.Run("when stress ends the deadlines are as the server set them",
		limitBubble(func(t *testing.T) {
			// A read with an hour, cut to 50s, gets its hour back 40s in.
			p := newLimitPipe(t, limits{max: 4, high: 3,
				calm: 40 * time.Second, read: 50 * time.Second})
			c, a, b := p.accept(t), p.accept(t), p.accept(t)
			_, _ = a.Close(), b.Close() // after stress, a calm begins
			read := limitBlock(t, c, false, func(time.Time) error {
				return c.SetReadDeadline(time.Now().Add(time.Hour))
			})
			time.Sleep(40 * time.Second)
			p.accept(t)
			limitTook(t, "a read with an hour", read, time.Hour)
		}))
}

func TestLimitWrites(t *testing.T) {
	t.Run("under stress a write waits at most write from when its "+
		"deadline was set", limitBubble(func(t *testing.T) {
		c := limitStressed(t)
		time.Sleep(10 * time.Second)
		limitTook(t, "a write with a minute", limitBlock(t, c, true,
			c.SetWriteDeadline), 5*time.Second)
		limitTook(t, "a write set by SetDeadline", limitBlock(t, c, true,
			c.SetDeadline), 5*time.Second)
	}))

	t.Run("when stress begins a write stuck for longer gives up at once, "+
		"and one stuck for 2s has 3s left", limitBubble(func(t *testing.T) {
		p := newLimitPipe(t, limits{max: 3, high: 3, write: 5 * time.Second})
		stuck, slow := p.accept(t), p.accept(t)
		stuckWrite := limitBlock(t, stuck, true, stuck.SetWriteDeadline)
		time.Sleep(8 * time.Second)
		slowWrite := limitBlock(t, slow, true, slow.SetWriteDeadline)
		time.Sleep(2 * time.Second)
		p.accept(t)
		limitTook(t, "the write stuck for 10s", stuckWrite, 10*time.Second)
		limitTook(t, "the write stuck for 2s", slowWrite, 5*time.Second)
	}))

	t.Run("a write bound of 0 leaves writes as set, and no read deadline "+
		"stays none", limitBubble(func(t *testing.T) {
		p := newLimitPipe(t, limits{max: 1, high: 1, read: 5 * time.Second})
		c := p.accept(t)
		read := limitBlock(t, c, false, func(time.Time) error {
			return c.SetReadDeadline(time.Time{})
		})
		limitTook(t, "a write with a minute", limitBlock(t, c, true,
			c.SetWriteDeadline), time.Minute)
		select {
		case got := <-read:
			t.Errorf("a read with no deadline gave up after %v (%v), "+
				"want it to wait", got.took, got.err)
		case <-time.After(time.Hour):
		}
		_ = c.Close() // ends the read
	}))
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
