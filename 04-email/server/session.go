package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// session is one client's conversation with the server.
type session struct {
	cfg      *config
	tcp      net.Conn      // the connection as accepted: deadlines go here
	conn     net.Conn      // what we read and write: tcp, or TLS over it, wrapped
	r        *bufio.Reader // reads conn, a line at a time
	remote   string        // the client's IP address
	loopback bool          // the client is on this machine

	helo   string   // the name the client gave in EHLO or HELO; "" before
	esmtp  bool     // it said EHLO, not HELO
	tls    bool     // STARTTLS has succeeded
	authed bool     // AUTH has succeeded
	inMail bool     // MAIL was accepted: a message is being sent
	from   string   // its envelope sender; "" for a bounce
	rcpts  []string // its envelope recipients

	code     int       // the code of the last reply
	furthest int       // the most progress since the last message (tally)
	junk     int       // commands of no use since the last message
	failures int       // failed AUTH attempts
	saved    time.Time // when it began, or last saved a message

	// For shutdown, from another goroutine.
	stopped        chan struct{} // closed when the server is shutting down
	mu             sync.Mutex
	idle, stopping bool // waiting for the client's next line; stopped
}

// newSession makes the session of a client that has just connected.
func newSession(conn net.Conn, cfg *config) *session {
	remote, _, err := net.SplitHostPort(conn.RemoteAddr().String())
	if err != nil {
		remote = conn.RemoteAddr().String() // not IP:port; show it as it is
	}
	s := &session{cfg: cfg, tcp: conn, remote: remote,
		loopback: isLoopbackAddr(conn.RemoteAddr().String()),
		stopped:  make(chan struct{}), saved: time.Now()}
	s.use(conn)
	return s
}

// use reads and writes on conn from now on, wrapped for -v.
func (s *session) use(conn net.Conn) {
	if s.cfg.wrap != nil {
		conn = s.cfg.wrap(conn)
	}
	s.conn, s.r = conn, bufio.NewReader(conn)
}

// hide tells a -v wrapper (tap.go), if conn is one, to count what
// crosses instead of showing it (a password, a message), and what was
// read and not shown yet. It, stressed and worked do nothing without
// the wrappers, which the session knows only by these interfaces.
func hide(conn net.Conn, on bool) {
	if h, ok := conn.(interface{ Hide(bool) }); ok {
		h.Hide(on)
	}
}

// stressed reports whether conn's listener says the server is under stress.
func stressed(conn net.Conn) bool {
	c, ok := conn.(interface{ Stressed() bool })
	return ok && c.Stressed()
}

// worked tells conn's listener that the client did work: under stress,
// its next read may wait from now.
func worked(conn net.Conn) {
	if c, ok := conn.(interface{ Worked() }); ok {
		c.Worked()
	}
}

// What ends a session, besides the connection failing.
var (
	errQuit         = errors.New("client quit")
	errShuttingDown = errors.New("server shutting down")
	errIdle         = errors.New("idle for too long")
)

// wsaeconnreset is how Windows says "connection reset by peer".
const wsaeconnreset = syscall.Errno(10054)

// logEnd logs why the session ended, unless it ended as sessions do: the
// client hung up, politely or not (resets at will must not fill the log),
// or it was idle under stress, which the log has said once.
func (s *session) logEnd(err error) {
	switch {
	case err == nil, errors.Is(err, errQuit), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, wsaeconnreset):
	case (errors.Is(err, errIdle) || errors.Is(err, errTooSlow)) &&
		stressed(s.tcp):
	default: // it may hold what the client sent (in a TLS error, say)
		s.cfg.log.Printf("%s: %.200q", s.remote, err)
	}
}

// converse holds the conversation: a greeting, then a reply for each
// command until the client quits, goes quiet for too long, or the server
// stops. A bad command gets an error reply, and the session goes on.
func (s *session) converse() error {
	if err := s.reply(220, s.cfg.host+" ESMTP netprog mail sink"); err != nil {
		return err
	}
	for {
		line, err := s.readCommand()
		if err == nil {
			err = s.command(line)
		}
		switch {
		case err == nil:
		case errors.Is(err, errShuttingDown):
			return s.reply(421, s.cfg.host+" shutting down")
		case errors.Is(err, os.ErrDeadlineExceeded):
			idle := s.cfg.timeout
			if stressed(s.tcp) {
				idle = s.cfg.stressTimeout
			}
			// The client may be gone: nothing to do if this fails.
			_ = s.reply(421, "idle for too long, closing the connection")
			return fmt.Errorf("%w: nothing for %v", errIdle, idle)
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

// commands are the commands the server knows, as HELP lists them.
const commands = "EHLO HELO STARTTLS AUTH MAIL RCPT DATA RSET NOOP VRFY " +
	"HELP QUIT"

// command answers one command line, and counts it (tally).
func (s *session) command(line string) error {
	verb, arg, err := parseCommand(line)
	switch {
	case err != nil:
		err = s.reply(501, err.Error())
	case verb == "EHLO" || verb == "HELO":
		err = s.hello(verb, arg)
	case verb == "STARTTLS":
		err = s.startTLS(arg)
	case verb == "AUTH":
		err = s.auth(arg)
	case verb == "MAIL":
		err = s.mail(arg)
	case verb == "RCPT":
		err = s.rcpt(arg)
	case verb == "DATA":
		err = s.data(arg)
	case verb == "RSET":
		s.reset()
		err = s.reply(250, "OK")
	case verb == "NOOP":
		err = s.reply(250, "OK")
	case verb == "VRFY":
		err = s.reply(252, "cannot check users, but will take the message")
	case verb == "HELP":
		err = s.reply(214, "commands: "+commands)
	case verb == "QUIT":
		err = cmp.Or(s.reply(221, s.cfg.host+" closing the connection"), errQuit)
	default:
		err = s.reply(500, "unknown command")
	}
	if err != nil {
		return err
	}
	return s.tally(verb)
}

// reply sends a reply: a code, whose first digit says how it went (2
// done, 3 go on, 4 failed for now, 5 failed), and text. A reply of
// several lines has a dash after the code on every line but the last.
func (s *session) reply(code int, lines ...string) error {
	var b strings.Builder
	for i, line := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(&b, "%d%s%s\r\n", code, sep, line)
	}
	// A client that stops reading would block this write forever.
	if err := s.tcp.SetWriteDeadline(time.Now().Add(s.cfg.timeout)); err != nil {
		return err
	}
	s.code = code
	_, err := io.WriteString(s.conn, b.String())
	return err
}

// reset forgets the message being sent, as RSET does.
func (s *session) reset() {
	s.inMail, s.from, s.rcpts = false, "", nil
}
