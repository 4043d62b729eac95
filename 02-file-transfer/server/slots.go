package main

import (
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
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

// pool holds the server's slots, and the transfers that hold them, so
// that Ctrl-C can wait for those and cut off the ones that take too long.
//
// When every slot is taken the server is under stress (at capacity, says
// its log): it logs that once, and every transfer gets at most
// cfg.stressTimeout for each write, those in progress too. It is calm
// again, and logs that, when at most half the slots are taken and a
// minute has passed since they were last all taken, so that a busy
// server does not flap in and out and fill the log.
type pool struct {
	cfg      config
	busy     []byte      // the answer to a client when every slot is taken
	stressed atomic.Bool // read by every transfer's writes, set under mu
	wg       sync.WaitGroup

	mu        sync.Mutex
	used      int                      // slots taken
	transfers map[*deadlineWriter]bool // the transfers in progress
	lastFull  time.Time                // when every slot was last taken
	refused   int                      // busy answers, under stress
}

// calm is how long a server stays under stress after its slots were last
// all taken.
const calm = time.Minute

// stressTimeout bounds each write of 64 KiB while the server is under
// stress, in place of -timeout: a client that does not read for that
// long loses its slot to one that would.
const stressTimeout = 5 * time.Second

func newPool(cfg config) *pool {
	// The same answer serves both protocols: it is a JSON object, which
	// a json client decodes, and a line, which a stream client reads as
	// its header.
	busy, err := json.Marshal(map[string]string{
		"error": "busy",
		"message": fmt.Sprintf("%d of %d slots taken",
			cfg.maxClients, cfg.maxClients),
	})
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return &pool{cfg: cfg, busy: append(busy, '\n'),
		transfers: map[*deadlineWriter]bool{}}
}

// take takes a slot, if one is free, and reports whether it did. Taking
// the last one puts the server under stress.
func (p *pool) take() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	ok := p.used < p.cfg.maxClients
	if ok {
		p.used++
	} else {
		p.refused++
	}
	if p.used == p.cfg.maxClients {
		p.lastFull = time.Now()
		if !p.stressed.Load() {
			p.setStress(true)
		}
	}
	p.calmDown()
	return ok
}

// give gives a slot back.
func (p *pool) give() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.used--
	p.calmDown()
}

// calmDown ends the stress if it is calm again (p.mu held).
func (p *pool) calmDown() {
	if p.stressed.Load() && p.used <= p.cfg.maxClients/2 &&
		time.Since(p.lastFull) >= calm {
		p.setStress(false)
	}
}

// setStress puts the server under stress, or out of it, and says so in
// one line (p.mu held). Under stress, every write in progress gets at
// most cfg.stressTimeout more: a client that is not reading should not
// keep its slot for the whole of the longer bound it was given before.
func (p *pool) setStress(on bool) {
	p.stressed.Store(on)
	if !on {
		p.cfg.log.Printf("calm again: %d of %d slots taken; %d "+
			"busy answers meanwhile", p.used, p.cfg.maxClients, p.refused)
		return
	}
	p.refused = 0
	p.cfg.log.Printf("at capacity: %d of %d slots taken; telling new "+
		"clients the server is busy", p.used, p.cfg.maxClients)
	for w := range p.transfers {
		w.hurry(p.cfg.stressTimeout)
	}
}

// refusalTimeout bounds the write of the busy answer. A new connection's
// buffer takes its few bytes at once; the bound is for the unexpected,
// since the server accepts no one else meanwhile.
const refusalTimeout = time.Second

// refuse tells a client that the server is busy, and hangs up. It holds
// no slot and no goroutine: a client told so costs the server a few
// microseconds, however many there are.
func (p *pool) refuse(conn net.Conn) {
	_ = conn.SetWriteDeadline(time.Now().Add(refusalTimeout))
	n, _ := conn.Write(p.busy) // a client gone already needs no answer
	// Shown before the close, so that -v's lines are out when the client
	// sees the end.
	showRefusal(p.cfg.wire, conn, p.busy[:n])
	_ = conn.Close() // nothing was read from it: nothing to lose
}

// start sends the file to conn in a goroutine of its own, in the slot
// taken for it (sendTo closes conn), then gives the slot back. One
// goroutine per client is where the tutorial's server starts a thread.
func (p *pool) start(conn net.Conn) {
	w := newDeadlineWriter(conn, p.cfg, &p.stressed)
	p.mu.Lock()
	p.transfers[w] = true
	p.mu.Unlock()
	p.wg.Go(func() {
		defer func() {
			p.mu.Lock()
			delete(p.transfers, w)
			p.mu.Unlock()
			p.give()
		}()
		sendTo(w, p.cfg)
	})
}

// shutdown lets the transfers in progress finish, but not forever:
// after cfg.grace it closes their connections, which makes their writes
// fail. It returns when every transfer has ended.
func (p *pool) shutdown() {
	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	p.mu.Lock()
	if n := len(p.transfers); n > 0 {
		p.cfg.log.Printf("stopping: waiting up to %v for %d transfers",
			p.cfg.grace, n)
	}
	p.mu.Unlock()
	select {
	case <-done:
	case <-time.After(p.cfg.grace):
		p.mu.Lock()
		p.cfg.log.Printf("stopping: cutting off %d transfers", len(p.transfers))
		for w := range p.transfers {
			_ = w.conn.Close() // makes its write fail, which ends it
		}
		p.mu.Unlock()
		<-done
	}
}
