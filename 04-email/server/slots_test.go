package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
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

// every sends first, then line every d, until the server closes the
// connection.
func every(d time.Duration, first, line string) peer {
	return func(conn net.Conn) {
		go idle(conn)
		_, err := io.WriteString(conn, first)
		for err == nil {
			time.Sleep(d)
			_, err = io.WriteString(conn, line)
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
	if got := c.readReply(); !strings.HasPrefix(got, "250 ") {
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
		{"clients that send NOOP every 40s", 4,
			every(40*time.Second, "", "NOOP\r\n")},
		{"clients that send NOOP every 2s", 4,
			every(2*time.Second, "", "NOOP\r\n")},
		{"clients that send a new recipient every 4s", 4,
			every(4*time.Second, "EHLO x\r\nMAIL FROM:<a@example.com>\r\n",
				"RCPT TO:<b@example.com>\r\n")},
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
			sendOneIn(t, s)             // calm is seen by the next client
			for _, want := range []string{"busy: 3 of 4 sessions", "calm again: "} {
				if n := strings.Count(s.log.String(), want); n != 1 {
					t.Errorf("got %q %d times in the log, want once", want, n)
				}
			}
			if t.Failed() {
				t.Logf("the log:\n%s", s.log.String())
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
			busy.play(s.dir, envelope...)
			busy.write("Subject: x\r\n\r\nhello\r\n.\r\n")
			if got := busy.readReply(); !strings.HasPrefix(got, "250 ") {
				t.Fatalf("got %q, want 250", got)
			}
			time.Sleep(2 * time.Second)
			start := time.Now()
			attack(t, s, 1, idle) // the third of four: stress
			if got := lazy.readReply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			if waited := time.Since(start); waited != 0 {
				t.Errorf("got 421 after %v, want it at once: stress "+
					"began, and this session was idle 10s", waited)
			}
			// The other saved a message 2s ago: it has 3s left.
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
			if got := c.readReply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			if waited := time.Since(start); waited != stressTimeout {
				t.Errorf("got 421 after %v, want %v", waited, stressTimeout)
			}
		})
	})
}

// Peers that keep a slot by looking busy: they send commands that cost
// them nothing, and never a message.
func TestStressCircles(t *testing.T) {
	mail := step{"MAIL FROM:<a@example.com>", "250 "}
	tests := []struct {
		name  string
		first []step // what the peer sends after EHLO
		round []step // then every 3s
	}{
		{"EHLO", nil, []step{{"EHLO test", "250-"}}},
		{"EHLO then MAIL", nil, []step{{"EHLO test", "250-"}, mail}},
		{"MAIL then RSET", nil, []step{mail, {"RSET", "250 "}}},
		{"a new recipient", []step{mail},
			[]step{{"RCPT TO:<b@example.com>", "250 "}}},
	}
	for _, tt := range tests {
		t.Run("a client that sends "+tt.name+" every 3s is closed under stress", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := startSink(t, "-max-sessions", "4")
				attack(t, s, 3, idle) // stress
				c := s.dial(t)
				c.play(s.dir, step{"EHLO test", "250-"})
				c.play(s.dir, tt.first...)
				start := time.Now()
				for time.Since(start) < time.Minute {
					// 3s without a word from the server, then a round.
					if got, ok := c.replyWithin(3 * time.Second); ok {
						if !strings.HasPrefix(got, "421 ") {
							t.Fatalf("got %q, want 421", got)
						}
						// No round is work: the session has
						// stressTimeout from its start.
						if took := time.Since(start); took > stressTimeout {
							t.Errorf("got 421 after %v, want it within %v",
								took, stressTimeout)
						}
						return
					}
					c.play(s.dir, tt.round...)
				}
				t.Errorf("still served after %v, want it closed", time.Since(start))
			})
		})
	}

	t.Run("a message begun late that trickles in is cut off within 10s",
		func(t *testing.T) { synctest.Test(t, testStressSlowMessage) })
}

// testStressSlowMessage checks that under stress, a message must come at
// 1 KiB a second from the session's start.
func testStressSlowMessage(t *testing.T) {
	s := startSink(t, "-max-sessions", "4")
	attack(t, s, 3, idle) // stress
	c := s.dial(t)
	start := time.Now()
	c.play(s.dir, envelope[:3]...)
	time.Sleep(4 * time.Second)
	c.play(s.dir, envelope[3]) // DATA
	got, ok := "", false
	for !ok && time.Since(start) < time.Minute {
		// 4s without a word from the server, then a line.
		if got, ok = c.replyWithin(4 * time.Second); !ok {
			c.write("x\r\n")
		}
	}
	if !strings.HasPrefix(got, "421 ") || !strings.Contains(got, "bytes a second") {
		t.Errorf("got %q, want 421 for a message too slow", got)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("got 421 after %v, want it within 10s", took)
	}
	if entries, err := os.ReadDir(s.dir); err != nil || len(entries) > 1 {
		t.Errorf("got %v in %s (%v), want nothing but the certificate",
			entries, s.dir, err)
	}
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
			if got := c.readReply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			if waited := time.Since(start); waited != 0 {
				t.Errorf("got 421 after %v, want it at once: that was "+
					"the %dth command of no use", waited, maxJunk)
			}
			c.expectEOF()
		})
	})

	t.Run(fmt.Sprintf("%d rounds of EHLO and MAIL get 421", maxJunk/2), func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			s := startSink(t)
			c := s.dial(t)
			c.play(s.dir, step{"EHLO test", "250-"})
			c.play(s.dir, step{"MAIL FROM:<a@example.com>", "250 "}) // work
			for range maxJunk/2 - 1 {
				c.play(s.dir, step{"EHLO test", "250-"},
					step{"MAIL FROM:<a@example.com>", "250 "})
			}
			// The last two are the 99th and 100th that do no work.
			c.play(s.dir, step{"EHLO test", "250-"},
				step{"MAIL FROM:<a@example.com>", "250 "})
			start := time.Now()
			if got := c.readReply(); !strings.HasPrefix(got, "421 ") {
				t.Errorf("got %q, want 421", got)
			}
			if waited := time.Since(start); waited != 0 {
				t.Errorf("got 421 after %v, want it at once: that was "+
					"the %dth command of no use", waited, maxJunk)
			}
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
				if got := c.readReply(); !strings.HasPrefix(got, "250 ") {
					t.Fatalf("got %q, want 250", got)
				}
			}
			c.play(s.dir, step{"QUIT", "221 "})
		})
	})
}

// replyWithin reads a reply if one comes within d, as a client that also
// has something to send would: a pipe holds nothing, so a reply the
// server writes must be read before the client can write again.
func (c *client) replyWithin(d time.Duration) (string, bool) {
	c.tb.Helper()
	if err := c.conn.SetReadDeadline(time.Now().Add(d)); err != nil {
		c.tb.Fatal(err)
	}
	line, err := c.r.ReadString('\n')
	if errors.Is(err, os.ErrDeadlineExceeded) {
		_ = c.conn.SetReadDeadline(time.Time{}) // a pipe's never fails
		return "", false
	}
	if err != nil {
		c.tb.Fatalf("the server sent no whole reply: %v (got %q)", err, line)
	}
	return line, true
}
