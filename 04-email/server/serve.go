package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// serve holds an SMTP session with each client ln accepts, in a goroutine
// of its own, until ctx is canceled; then it ends them (shutdown).
//
// A session holds a slot: a goroutine, buffers, a file descriptor. Beyond
// -max-sessions, clients wait in the system's queue (limit.go). From
// three quarters on, the server is under stress: a session keeps its slot
// only while it works, and work is a message (its bytes arriving at
// minDataRate), not a command, which costs a client nothing. Stress ends
// for the first client after a whole -timeout with half the slots free.
func serve(ctx context.Context, ln net.Listener, cfg *config) error {
	n, high := cfg.maxSessions, max(1, cfg.maxSessions*3/4)
	lim := newLimitListener(ln, limits{max: n, high: high, calm: cfg.timeout,
		read: cfg.stressTimeout, write: cfg.stressTimeout,
		stress: func(on bool) {
			if on {
				cfg.log.Printf("busy: %d of %d sessions in use; until it is "+
					"calm again, a session that does no work for %v is "+
					"closed", high, n, cfg.stressTimeout)
			} else {
				cfg.log.Printf("calm again: at most %d of %d sessions in use "+
					"for %v; sessions may wait %v for a command again", n/2, n,
					cfg.timeout, cfg.timeout)
			}
		}})
	stop := context.AfterFunc(ctx, func() {
		_ = lim.Close() // wakes Accept; an error means it is closed already
	})
	defer stop()
	cfg.sessions = map[*session]bool{}
	for {
		conn, err := accept(ctx, lim, cfg.log)
		if err != nil {
			cfg.shutdown()
			if ctx.Err() != nil {
				return nil // shutting down: we closed the listener
			}
			return err
		}
		s := newSession(conn, cfg)
		cfg.mu.Lock()
		cfg.sessions[s] = true
		cfg.mu.Unlock()
		cfg.wg.Go(func() { // where the tutorial's server would use a thread
			s.logEnd(s.converse())
			cfg.mu.Lock()
			delete(cfg.sessions, s)
			cfg.mu.Unlock()
			_ = conn.Close()   // frees the slot
			_ = s.conn.Close() // TLS's goodbye fails at once; -v says closed
		})
	}
}

// shutdown tells every session that the server is stopping: those waiting
// for a command get "421 shutting down" at once; one receiving a message
// saves it first. After grace it closes the connections still open, and
// returns when every session has ended.
func (cfg *config) shutdown() {
	cfg.mu.Lock()
	for s := range cfg.sessions {
		s.stop()
	}
	if n := len(cfg.sessions); n > 0 {
		cfg.log.Printf("stopping: waiting up to %v for %d sessions", grace, n)
	}
	cfg.mu.Unlock()
	cutOff := time.AfterFunc(grace, func() {
		cfg.mu.Lock()
		defer cfg.mu.Unlock()
		cfg.log.Printf("stopping: cutting off %d sessions", len(cfg.sessions))
		for s := range cfg.sessions {
			_ = s.tcp.Close() // makes its read fail, which ends it
		}
	})
	defer cutOff.Stop()
	cfg.wg.Wait()
}

// maxJunk is how many commands of no use a session may send between
// messages: one that sends NOOP now and then must not keep its slot.
const maxJunk = 100

var errJunk = errors.New("too many commands without a message")

// tally counts the command just answered: useful if it brings the
// session nearer to a message than it has been since its last one
// (progress), or saves one. Anything else is junk: NOOP, RSET, VRFY, HELP,
// every command refused, a second EHLO, or MAIL again after RSET, which
// go round in circles. After maxJunk of them the session ends with 421.
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
// each for EHLO (or HELO), STARTTLS, AUTH, MAIL and every recipient. Each
// can be done only so many times before the message must follow.
func (s *session) progress() int {
	n := len(s.rcpts)
	for _, done := range []bool{s.helo != "", s.tls, s.authed, s.inMail} {
		if done {
			n++
		}
	}
	return n
}

// nextLine waits for the client's next line, -timeout at most (the
// listener brings that closer under stress), or until the server shuts
// down: stop moves the deadline to now, which wakes the read at once.
func (s *session) nextLine() (string, error) {
	s.mu.Lock()
	s.idle = true
	err := s.tcp.SetReadDeadline(time.Now().Add(s.cfg.timeout))
	if s.stopping {
		err = errShuttingDown
	}
	s.mu.Unlock()
	line := ""
	if err == nil {
		line, err = readLine(s.r)
	}
	s.mu.Lock()
	s.idle = false
	if s.stopping {
		err = errShuttingDown // whatever came, the answer is 421
	}
	s.mu.Unlock()
	return line, err
}

// stop tells the session that the server is shutting down. If it is
// waiting for a command, its read fails at once; if it is receiving a
// message, it finishes that and finds out when it next waits.
func (s *session) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopping {
		close(s.stopped)
	}
	s.stopping = true
	if s.idle {
		_ = s.tcp.SetReadDeadline(time.Now()) // fails only if closed: over anyway
	}
}
