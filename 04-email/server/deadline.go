package main

import "time"

// A session never waits for its client without a bound: -timeout for each
// line, and while the server is under stress (see pool), stressTimeout
// after it began or last saved a message. When the server shuts down, the
// bound of a session waiting for a command becomes now.

// waitLimit is how long the client has for a line or a reply: -timeout, or
// stressTimeout while the server is under stress.
func (s *session) waitLimit() time.Duration {
	if s.stressed.Load() {
		return s.cfg.stressTimeout
	}
	return s.cfg.timeout
}

// nextLine waits for the client's next line until deadline: the idle
// bound. Stress moves the deadline closer (pressure), and Ctrl-C to now
// (stop), which wakes the read at once.
func (s *session) nextLine() (string, error) {
	s.mu.Lock()
	s.idle, s.waiting = true, time.Now()
	err := s.tcp.SetReadDeadline(s.deadline())
	if s.stopping {
		err = errShuttingDown
	}
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	line, err := readLine(s.r)
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

// deadline is when the client must have sent its next line: -timeout
// after it began to wait, and under stress no later than stressTimeout
// after the session last did work (s.mu held).
func (s *session) deadline() time.Time {
	d := s.waiting.Add(s.cfg.timeout)
	busy := s.worked.Add(s.cfg.stressTimeout)
	if s.stressed.Load() && busy.Before(d) {
		d = busy
	}
	return d
}

// pressure moves the deadline of a session waiting for a command when
// stress begins or ends.
func (s *session) pressure() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idle && !s.stopping {
		_ = s.tcp.SetReadDeadline(s.deadline()) // fails only if closed
	}
}
