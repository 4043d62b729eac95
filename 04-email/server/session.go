package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
)

// session is one client's conversation with the server.
type session struct {
	cfg    *config
	tcp    net.Conn      // the connection as accepted: deadlines go here
	conn   net.Conn      // what we read and write: tcp, or TLS over it
	r      *bufio.Reader // reads conn, a line at a time
	remote string        // the client's IP address
	local  bool          // the client is on this machine: a loopback address

	helo   string   // the name the client gave in EHLO or HELO; "" before
	esmtp  bool     // it said EHLO, not HELO
	tls    bool     // STARTTLS has succeeded
	authed bool     // AUTH has succeeded
	inMail bool     // MAIL was accepted: a message is being sent
	from   string   // its envelope sender; "" for a bounce
	rcpts  []string // its envelope recipients

	code     int // the code of the last reply
	furthest int // the most progress since the last message (see tally)
	junk     int // commands that did no work since the last message
	failures int // failed AUTH attempts

	// The pool shares these with the session's goroutine.
	stressed *atomic.Bool  // the server is under stress: see pool
	stopped  chan struct{} // closed when the server is shutting down
	mu       sync.Mutex
	idle     bool      // waiting for the client's next line
	waiting  time.Time // since when
	worked   time.Time // when the last command that did work came
	stopping bool      // the server is shutting down
}

func newSession(conn net.Conn, cfg *config, stressed *atomic.Bool) *session {
	remote, _, err := net.SplitHostPort(conn.RemoteAddr().String())
	if err != nil {
		remote = conn.RemoteAddr().String() // not IP:port; show it as it is
	}
	return &session{cfg: cfg, tcp: conn, conn: conn,
		r: bufio.NewReader(conn), remote: remote,
		local: onThisMachine(conn.RemoteAddr()), stressed: stressed,
		stopped: make(chan struct{}), worked: time.Now()}
}

// wsaeconnreset is how Windows says "connection reset by peer".
const wsaeconnreset = syscall.Errno(10054)

// What ends a session, besides the connection failing.
var (
	errQuit         = errors.New("client quit")
	errShuttingDown = errors.New("server shutting down")
	errLineTooLong  = errors.New("line too long")
	errIdle         = errors.New("idle for too long")
)

// serve holds the conversation: a greeting, then one reply per command
// until the client quits, goes quiet for too long, or the server stops. A
// bad command gets an error reply, and the session goes on.
func (s *session) serve() {
	err := s.converse()
	switch {
	case err == nil, errors.Is(err, errQuit), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, wsaeconnreset):
		// The client hung up, politely or not: a peer that resets its
		// connections at will must not fill the log.
	case (errors.Is(err, errIdle) || errors.Is(err, errTooSlow)) &&
		s.stressed.Load():
		// Expected under stress, which the log has said once.
	default:
		// It may hold what the client sent (in a TLS error, say).
		s.cfg.log.Printf("%s: %s", s.remote, quote(err.Error()))
	}
}

func (s *session) converse() error {
	if err := s.reply(220, s.cfg.host+" ESMTP netprog mail sink"); err != nil {
		return err
	}
	for {
		line, err := s.readLine()
		if err == nil {
			err = s.command(line)
		}
		switch {
		case err == nil:
		case errors.Is(err, errShuttingDown):
			return s.reply(421, s.cfg.host+" shutting down")
		case errors.Is(err, os.ErrDeadlineExceeded):
			// The client may be gone: nothing to do if this fails.
			_ = s.reply(421, "idle for too long, closing the connection")
			return fmt.Errorf("%w: nothing for %v", errIdle, s.timeout())
		case errors.Is(err, errLineTooLong):
			err = s.reply(500, fmt.Sprintf("line too long: at most %d bytes "+
				"with the CRLF", maxLine))
			if err == nil {
				err = s.tally("")
			}
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// command answers one command line, and counts it.
func (s *session) command(line string) error {
	verb, arg, err := parseCommand(line)
	if err != nil {
		err = s.reply(501, err.Error())
	} else {
		err = s.do(verb, arg)
	}
	if err != nil {
		return err
	}
	return s.tally(verb)
}

// do answers one command.
func (s *session) do(verb, arg string) error {
	switch verb {
	case "EHLO", "HELO":
		return s.hello(verb, arg)
	case "STARTTLS":
		return s.startTLS(arg)
	case "AUTH":
		return s.auth(arg)
	case "MAIL":
		return s.mail(arg)
	case "RCPT":
		return s.rcpt(arg)
	case "DATA":
		return s.data(arg)
	case "RSET":
		s.reset()
		return s.reply(250, "OK")
	case "NOOP":
		return s.reply(250, "OK")
	case "VRFY":
		return s.reply(252, "cannot check users, but will take the message")
	case "HELP":
		return s.reply(214, "commands: EHLO HELO STARTTLS AUTH MAIL RCPT "+
			"DATA RSET NOOP VRFY HELP QUIT")
	case "QUIT":
		if err := s.reply(221, s.cfg.host+" closing the connection"); err != nil {
			return err
		}
		return errQuit
	}
	return s.reply(500, "unknown command")
}

// reply sends one reply: a three-digit code and some text. The first digit
// says how it went: 2 done, 3 go on, 4 failed for now (try again later),
// 5 failed (do not try again as it is). A reply of several lines has a
// dash after the code on every line but the last, so the client knows
// when it has it all.
func (s *session) reply(code int, lines ...string) error {
	var b strings.Builder
	for i, line := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(&b, "%d%s%s\r\n", code, sep, line)
	}
	// A client that stops reading would block this write for ever.
	if err := s.tcp.SetWriteDeadline(time.Now().Add(s.timeout())); err != nil {
		return err
	}
	s.code = code
	_, err := io.WriteString(s.conn, b.String())
	return err
}

// timeout is how long the client has for a line or a reply: -timeout, or
// stressTimeout while the server is under stress.
func (s *session) timeout() time.Duration {
	if s.stressed.Load() {
		return s.cfg.stressTimeout
	}
	return s.cfg.timeout
}

// maxLine is the longest command line RFC 5321 allows, CRLF included.
const maxLine = 1000

// readLine waits for the client's next line until deadline: the idle
// bound. Stress moves the deadline closer (pressure), and Ctrl-C to now
// (stop), which wakes the read at once.
func (s *session) readLine() (string, error) {
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
// after its last command that did work (s.mu held).
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

// readLine reads one line of at most maxLine bytes, CRLF included, and
// returns it without its line ending. RFC 5321 says CRLF, but a bare LF is
// accepted too, as most servers do. A longer line is read to its end and
// dropped, and readLine returns errLineTooLong: memory stays bounded, and
// the client can go on.
func readLine(r *bufio.Reader) (string, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		tooLong = tooLong || len(line)+len(chunk) > maxLine
		if !tooLong {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue // the line goes on beyond the reader's buffer
		}
		if err != nil {
			return "", err
		}
		if tooLong {
			return "", errLineTooLong
		}
		s := strings.TrimSuffix(string(line), "\n")
		return strings.TrimSuffix(s, "\r"), nil
	}
}

// parseCommand splits a command line into its verb, in capitals, and the
// rest: "mail FROM:<a@b.example>" gives "MAIL" and "FROM:<a@b.example>".
// It refuses control characters: a bare CR in an address could otherwise
// end up in a saved header and start a header of the client's choosing.
func parseCommand(line string) (verb, arg string, err error) {
	if strings.ContainsFunc(line, unicode.IsControl) {
		return "", "", errors.New("control characters are not allowed in commands")
	}
	verb, arg, _ = strings.Cut(line, " ")
	return strings.ToUpper(verb), strings.TrimSpace(arg), nil
}

// parsePath parses the argument of MAIL or RCPT: the keyword FROM or TO, a
// colon, an address in angle brackets, and parameters such as SIZE=12345.
// The address may be empty ("<>", the sender of a bounce). size is 0 if
// the client did not say; other parameters (BODY=8BITMIME) are ignored.
func parsePath(arg, keyword string) (addr string, size int64, err error) {
	usage := fmt.Errorf("syntax: %s:<address>", keyword)
	k, rest, ok := strings.Cut(arg, ":")
	if !ok || !strings.EqualFold(k, keyword) {
		return "", 0, usage
	}
	rest = strings.TrimLeft(rest, " ") // some clients write "FROM: <a@b>"
	if !strings.HasPrefix(rest, "<") {
		return "", 0, usage
	}
	addr, params, ok := strings.Cut(rest[1:], ">")
	if !ok || params != "" && params[0] != ' ' {
		return "", 0, usage
	}
	if addr != "" {
		// net/mail knows what an address may hold. Comments, quoted
		// names and the like are refused: the envelope wants a bare
		// address.
		a, err := mail.ParseAddress(addr)
		if err != nil || a.Address != addr {
			return "", 0, fmt.Errorf("<%s> is not an address like "+
				"<name@example.com>", addr)
		}
		// Addresses in other scripts need the SMTPUTF8 extension,
		// which this server does not offer (RFC 6531).
		if strings.ContainsFunc(addr, func(r rune) bool { return r > 0x7e }) {
			return "", 0, fmt.Errorf("<%s> is not ASCII, and this server "+
				"does not speak SMTPUTF8", addr)
		}
	}
	for _, p := range strings.Fields(params) {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(k, "SIZE") {
			size, err = strconv.ParseInt(v, 10, 64)
			if err != nil || size < 0 {
				return "", 0, fmt.Errorf("SIZE=%s is not a number of bytes", v)
			}
		}
	}
	return addr, size, nil
}

// reset forgets the message being sent, as RSET does.
func (s *session) reset() {
	s.inMail, s.from, s.rcpts = false, "", nil
}
