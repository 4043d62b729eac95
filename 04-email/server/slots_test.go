package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// A peer is a client that holds a slot without doing work. It reads all
// the server says, as a TCP client's system would, so that the server's
// writes never wait for it.
type peer func(conn net.Conn)

// idle says nothing at all.
func idle(conn net.Conn) { _, _ = io.Copy(io.Discard, conn) }

// noopEvery sends NOOP every d, until the server closes the connection.
func noopEvery(d time.Duration) peer {
	return func(conn net.Conn) {
		go idle(conn)
		for {
			time.Sleep(d)
			if _, err := io.WriteString(conn, "NOOP\r\n"); err != nil {
				return
			}
		}
	}
}

// attack connects n peers to s, each running p. When the test ends, it
// stops s and waits for the peers.
func attack(t *testing.T, s *sink, n int, p peer) {
	t.Helper()
	var wg sync.WaitGroup
	for range n {
		conn, err := s.pl.Dial()
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			defer conn.Close()
			p(conn)
		})
	}
	t.Cleanup(func() {
		_ = s.stop() // checked by startSink's cleanup
		wg.Wait()
	})
}

// sendOneIn sends one message on a new session with s, and returns how
// long the session took, from the moment it connected.
func sendOneIn(t *testing.T, s *sink) time.Duration {
	t.Helper()
	start := time.Now()
	c := s.dial(t)
	c.play(s.dir, envelope...)
	c.write("Subject: legitimate\r\n\r\nhello\r\n.\r\n")
	if got := c.reply(); !strings.HasPrefix(got, "250 ") {
		t.Fatalf("got %q, want 250", got)
	}
	c.play(s.dir, step{"QUIT", "221 "})
	return time.Since(start)
}

func TestSlotsHeldWithoutWork(t *testing.T) {
	tests := []struct {
		name  string
		peers int // with -max-sessions 4
		peer  peer
	}{
		{"idle clients in two waves", 8, idle},
		{"clients that send NOOP every 40s", 4, noopEvery(40 * time.Second)},
		{"clients that send NOOP every 2s", 4, noopEvery(2 * time.Second)},
	}
	for _, tt := range tests {
		name := "with every slot held by " + tt.name + ", a sender is served within 15s"
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := startSink(t, "-max-sessions", "4")
				attack(t, s, tt.peers, tt.peer)
				if took := sendOneIn(t, s); took > 15*time.Second {
					t.Errorf("the sender waited %v, want 15s at most", took)
				}
			})
		})
	}

	t.Run("stress is logged once when it begins, and once when it ends", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t, "-max-sessions", "4")
			attack(t, s, 12, idle)
			sendOneIn(t, s)
			time.Sleep(2 * time.Minute) // the attack is over, and calm
			for _, want := range []string{"busy: 3 of 4 sessions", "calm again: 0 of 4"} {
				if n := strings.Count(s.log.String(), want); n != 1 {
					t.Errorf("got %q %d times in the log, want once: %q",
						want, n, s.log.String())
				}
			}
		})
	})
}

func TestStress(t *testing.T) {
	t.Run("a session idle when stress begins is closed at once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t, "-max-sessions", "4")
			lazy, busy := s.dial(t), s.dial(t)
			time.Sleep(8 * time.Second)
			busy.play(s.dir, step{"EHLO test", "250-"})
			time.Sleep(2 * time.Second)
			start := time.Now()
			attack(t, s, 1, idle) // the third of four: stress
			if got := lazy.reply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			if waited := time.Since(start); waited != 0 {
				t.Errorf("got 421 after %v, want it at once", waited)
			}
			// The other did work 2s ago: it has 3s left.
			time.Sleep(2 * time.Second)
			busy.play(s.dir, step{"MAIL FROM:<a@example.com>", "250 "})
		})
	})

	t.Run("a client that stops in a message is closed after 5s", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t, "-max-sessions", "4")
			attack(t, s, 3, idle)
			c := s.dial(t)
			c.play(s.dir, envelope...)
			c.write("Subject: half\r\n")
			start := time.Now()
			if got := c.reply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			if waited := time.Since(start); waited != stressTimeout {
				t.Errorf("got 421 after %v, want %v", waited, stressTimeout)
			}
		})
	})
}

func TestJunkCommands(t *testing.T) {
	junk := []step{{"NOOP", "250 "}, {"RSET", "250 "}, {"VRFY a", "252 "},
		{"HELP", "214 "}, {"FOO", "500 "}, {"MAIL FROM:a@example.com", "501 "}}
	t.Run(fmt.Sprintf("%d commands that do no work get 421", maxJunk), func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t)
			c := s.dial(t)
			c.play(s.dir, step{"EHLO test", "250-"})
			for i := range maxJunk {
				c.play(s.dir, junk[i%len(junk)])
			}
			start := time.Now()
			if got := c.reply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			if waited := time.Since(start); waited != 0 {
				t.Errorf("got 421 after %v, want it at once", waited)
			}
			c.expectEOF()
		})
	})

	t.Run("a message saved starts the count again", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t)
			c := s.dial(t)
			c.play(s.dir, step{"EHLO test", "250-"})
			for range 2 {
				for i := range maxJunk - 1 {
					c.play(s.dir, junk[i%len(junk)])
				}
				c.play(s.dir, envelope[1:]...)
				c.write("Subject: x\r\n\r\nhello\r\n.\r\n")
				if got := c.reply(); !strings.HasPrefix(got, "250 ") {
					t.Fatalf("got %q, want 250", got)
				}
			}
			c.play(s.dir, step{"QUIT", "221 "})
		})
	})
}
