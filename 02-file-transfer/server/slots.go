package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"sync"
	"time"
)

// A server's slots are a resource: each client served holds a goroutine,
// a connection and a share of the bandwidth, and -max-clients bounds how
// many are served at once. A peer that takes a slot and does no work (it
// connects and never reads, or reads a little now and then) keeps it from
// a client that would use it: a few hundred such peers are enough to shut
// everyone else out. So a slot is held only while the transfer makes
// progress (see deadline.go), the bounds are shorter while every slot is
// taken, and a client that finds them all taken is told so at once.

// slots counts the clients being served.
//
// When every slot is taken the server is at capacity: it logs that once,
// and calls full, which shortens the bounds of the transfers in progress.
// It is out of it, and logs that, when at most half the slots are taken
// and a minute has passed since they were last all taken, so that a busy
// server does not flap in and out and fill the log.
type slots struct {
	max  int
	log  *log.Logger
	full func()
	busy []byte // the answer to a client when every slot is taken

	mu       sync.Mutex
	used     int
	stressed bool      // at capacity, and not calm since
	lastFull time.Time // when every slot was last taken
	refused  int       // clients told the server is busy, while stressed
}

// calm is how long a server stays at capacity after its slots were last
// all taken.
const calm = time.Minute

func newSlots(max int, logger *log.Logger, full func()) *slots {
	// The same answer serves both protocols: it is a JSON object, which
	// a json client decodes, and a line, which a stream client reads as
	// its header.
	busy, err := json.Marshal(map[string]string{
		"error":   "busy",
		"message": fmt.Sprintf("%d of %d slots taken", max, max),
	})
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return &slots{max: max, log: logger, full: full, busy: append(busy, '\n')}
}

// take takes a slot, if one is free, and reports whether it did.
func (s *slots) take() bool {
	s.mu.Lock()
	ok := s.used < s.max
	if ok {
		s.used++
	} else {
		s.refused++
	}
	filled := false
	if s.used == s.max {
		s.lastFull = time.Now()
		if !s.stressed {
			s.stressed, filled, s.refused = true, true, 0
			s.log.Printf("at capacity: %d of %d slots taken; telling new "+
				"clients the server is busy", s.used, s.max)
		}
	}
	s.calmDown()
	s.mu.Unlock()
	if filled {
		s.full()
	}
	return ok
}

// give gives a slot back.
func (s *slots) give() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.used--
	s.calmDown()
}

func (s *slots) calmDown() {
	if s.stressed && s.used <= s.max/2 && time.Since(s.lastFull) >= calm {
		s.stressed = false
		s.log.Printf("below capacity again: %d of %d slots taken; %d "+
			"busy answers meanwhile", s.used, s.max, s.refused)
	}
}

// atCapacity reports whether the server is at capacity.
func (s *slots) atCapacity() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stressed
}

// refusalTimeout bounds the write of the busy answer. A new connection's
// buffer takes its few bytes at once; the bound is for the unexpected,
// since the server accepts no one else meanwhile.
const refusalTimeout = time.Second

// refuse tells a client that the server is busy, and hangs up. It holds
// no slot and no goroutine: a client told so costs the server a few
// microseconds, however many there are.
func (s *slots) refuse(conn net.Conn) {
	_ = conn.SetWriteDeadline(time.Now().Add(refusalTimeout))
	_, _ = conn.Write(s.busy) // a client gone already needs no answer
	_ = conn.Close()          // nothing was read from it: nothing to lose
}
