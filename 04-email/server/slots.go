package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// A session holds a slot: a goroutine, buffers, a file descriptor, and
// there are -max-sessions of them. A client that holds one without doing
// work keeps a sender out, so when three quarters of the slots are taken
// the server is under stress (Postfix's word for it), and frugal: a
// session then has stressTimeout, not -timeout, after it began or last
// saved a message to start the next one, and from then on its message
// must have come at minDataRate on average. Commands are no work: they
// cost a client nothing, and one that named a new recipient every few
// seconds would keep its slot for minutes. The sessions already waiting
// get the shorter bound at once. After a whole -timeout with fewer
// sessions than that, -timeout is back. Each change is logged in one
// line.
type pool struct {
	cfg      *config
	slots    chan struct{} // a token for each session, taken before Accept
	high     int           // at this many sessions, stress begins
	stressed atomic.Bool   // read by every session, set under mu
	mu       sync.Mutex
	sessions map[*session]bool // the sessions in progress
	calm     *time.Timer       // ends stress, unless stopped; or nil
	wg       sync.WaitGroup
}

func newPool(cfg *config) *pool {
	return &pool{cfg: cfg, slots: make(chan struct{}, cfg.maxSessions),
		high: max(1, cfg.maxSessions*3/4), sessions: map[*session]bool{}}
}

// take waits for a free slot, and reports false if ctx ends first.
func (p *pool) take(ctx context.Context) bool {
	select {
	case p.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

// give frees a slot.
func (p *pool) give() { <-p.slots }

// start holds a session with conn in a goroutine of its own, in the slot
// taken for it. One goroutine per client is where the tutorial's mail
// server would use a thread, or serve one client at a time.
func (p *pool) start(conn net.Conn) {
	s := newSession(conn, p.cfg, &p.stressed)
	p.add(s)
	p.wg.Go(func() {
		defer func() {
			p.remove(s)
			_ = conn.Close()   // the session is over either way
			_ = s.conn.Close() // TLS's goodbye fails at once; -v says closed
			p.give()
		}()
		s.logEnd(s.converse())
	})
}

func (p *pool) add(s *session) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sessions[s] = true
	n := len(p.sessions)
	if n < p.high {
		return
	}
	p.stopCalm()
	if !p.stressed.Load() {
		p.cfg.log.Printf("busy: %d of %d sessions in use; until it is calm "+
			"again, a session that does no work for %v is closed", n,
			p.cfg.maxSessions, p.cfg.stressTimeout)
		p.setStress(true)
	}
}

func (p *pool) remove(s *session) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.sessions, s)
	if len(p.sessions) >= p.high || !p.stressed.Load() || p.calm != nil {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(p.cfg.timeout, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.calm == t { // not stopped meanwhile
			p.relax()
		}
	})
	p.calm = t
}

// stopCalm stops the timer that would end stress (p.mu held).
func (p *pool) stopCalm() {
	if p.calm != nil {
		p.calm.Stop()
		p.calm = nil
	}
}

// relax ends stress (p.mu held).
func (p *pool) relax() {
	p.calm = nil
	p.cfg.log.Printf("calm again: %d of %d sessions in use; sessions may "+
		"wait %v for a command again", len(p.sessions), p.cfg.maxSessions,
		p.cfg.timeout)
	p.setStress(false)
}

// setStress turns stress on or off, and moves the deadline of every
// session waiting for a command to match (p.mu held).
func (p *pool) setStress(on bool) {
	p.stressed.Store(on)
	for s := range p.sessions {
		s.pressure()
	}
}

// shutdown tells every session that the server is stopping: those waiting
// for a command get "421 shutting down" at once; one receiving a message
// saves it first, then gets the 421. After cfg.grace it closes the
// connections still open, and returns when every session has ended.
func (p *pool) shutdown() {
	p.mu.Lock()
	for s := range p.sessions {
		s.stop()
	}
	if n := len(p.sessions); n > 0 {
		p.cfg.log.Printf("stopping: waiting up to %v for %d sessions", p.cfg.grace, n)
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(p.cfg.grace):
		p.mu.Lock()
		p.cfg.log.Printf("stopping: cutting off %d sessions", len(p.sessions))
		for s := range p.sessions {
			_ = s.tcp.Close() // makes its read fail, which ends it
		}
		p.mu.Unlock()
		<-done
	}
	p.mu.Lock()
	p.stopCalm() // no session is left to wait for
	p.mu.Unlock()
}

// maxJunk is how many commands that do no work a session may send between
// messages: a client that sends NOOP now and then must not keep its slot
// forever.
const maxJunk = 100

var errJunk = errors.New("too many commands without a message")

// tally counts the command just answered. It is useful if it brings the
// session nearer to a message than it has been since its last one (see
// progress), or saves a message. Anything else is junk: NOOP, RSET, VRFY,
// HELP, every command refused, and also a second EHLO, or MAIL again after
// RSET, which only go round in circles. After maxJunk of them between two
// messages, the session ends with 421.
func (s *session) tally(verb string) error {
	if p := s.progress(); s.code < 400 && (p > s.furthest || verb == "DATA") {
		s.furthest = p
		return nil
	}
	s.junk++
	if s.junk < maxJunk {
		return nil
	}
	// The client may be gone: nothing to do if this fails.
	_ = s.reply(421, fmt.Sprintf("%d commands without a message: closing "+
		"the connection", maxJunk))
	return errJunk
}

// progress is how far the session has come towards a message: a step
// each for the greeting (EHLO or HELO), STARTTLS, AUTH, MAIL and every
// recipient. Each can be done only so many times before the message must
// follow, so a client that keeps its slot by doing work must deliver.
func (s *session) progress() int {
	n := len(s.rcpts)
	for _, done := range []bool{s.helo != "", s.tls, s.authed, s.inMail} {
		if done {
			n++
		}
	}
	return n
}
