package main

import (
	"fmt"
	"log"
	"net"
	"time"
)

// Under stress (every slot taken) each write of 64 KiB may wait at most
// stressTimeout, in place of -timeout: a client that does not read for
// that long loses its slot to one that would. The stress ends once at
// most half the slots were taken for a whole calm.
const (
	stressTimeout = 5 * time.Second
	calm          = time.Minute
)

// guard wraps ln in the slots of limit.go, with a busy answer beyond them,
// and with -v in tap.go's tap, outside the slots so that hide reaches it.
func (cfg config) guard(ln net.Listener, logger *log.Logger) net.Listener {
	files := openFiles()
	n := connCap(cfg.maxClients, files)
	if n < cfg.maxClients {
		logger.Printf("ulimit -n is %d: at most %d clients at once, not "+
			"the %d of -max-clients", files, n, cfg.maxClients)
	}
	var v *log.Logger // -v's lines, without the date
	if cfg.verbose {
		v = log.New(logger.Writer(), "", 0)
	}
	answer, refused := busyAnswer(n), 0 // Accept calls busy and stress
	ln = newLimitListener(ln, limits{max: n, high: n, calm: calm,
		write: stressTimeout,
		busy: func(conn net.Conn) {
			refused++
			if v != nil { // this conn never leaves Accept: tap it here
				conn = tapServer(conn, v)
			}
			// The answer fits a new connection's buffer: it holds no
			// slot and no goroutine. The deadline is for the unexpected.
			_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = conn.Write(answer) // a client gone already needs no answer
			_ = conn.Close()          // nothing was read from it: nothing to lose
		},
		stress: func(on bool) {
			if on {
				refused = 0
				logger.Printf("at capacity: %d of %d slots taken; telling "+
					"new clients the server is busy", n, n)
			} else {
				logger.Printf("calm again: at most %d of %d slots taken "+
					"for %v; %d busy answers meanwhile", n/2, n, calm, refused)
			}
		}})
	if v != nil {
		ln = tapListener(ln, v)
	}
	return ln
}

// busyAnswer is what a client hears when all n slots are taken. It is a
// JSON object, which a json client decodes, and a line, which a stream
// client reads as its header: the same answer serves both protocols.
func busyAnswer(n int) []byte {
	return fmt.Appendf(nil,
		`{"error":"busy","message":"%d of %d slots taken"}`+"\n", n, n)
}
