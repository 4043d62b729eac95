package main

import (
	"fmt"
	"log"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// fakeUDP is a UDP socket in memory, for serveUDP on synctest's clock:
// each datagram sent on in is read from a fixed address, and answers
// go nowhere.
type fakeUDP struct {
	net.PacketConn // nil: serveUDP calls only the methods below
	in             chan []byte
	closed         chan struct{}
}

var sender = &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}

func (c *fakeUDP) ReadFrom(p []byte) (int, net.Addr, error) {
	select {
	case b := <-c.in:
		return copy(p, b), sender, nil
	case <-c.closed:
		return 0, nil, net.ErrClosed
	}
}

func (c *fakeUDP) WriteTo(p []byte, _ net.Addr) (int, error) { return len(p), nil }

func TestServerLogUnderAUDPFlood(t *testing.T) {
	// A datagram costs its sender nothing, and its sender address may be
	// forged: a flood must not become a log line per datagram.
	synctest.Test(t, func(t *testing.T) {
		pc := &fakeUDP{in: make(chan []byte), closed: make(chan struct{})}
		var logs loopback.Buffer
		done := make(chan error, 1)
		s := &server{logger: log.New(&logs, "", 0)}
		go func() { done <- s.serveUDP(t.Context(), pc) }()
		t.Cleanup(func() {
			close(pc.closed) // as serve does at Ctrl-C
			if err := <-done; err != nil {
				t.Errorf("serveUDP returned %v, want nil", err)
			}
		})

		for range 10000 {
			pc.in <- nil // an empty datagram, as a flood sends
		}
		synctest.Wait()
		if n := strings.Count(logs.String(), "\n"); n > maxLogged {
			t.Fatalf("logged %d lines for 10000 datagrams in one second, "+
				"want at most %d", n, maxLogged)
		}
		time.Sleep(time.Second) // on the fake clock: a second later
		pc.in <- nil
		synctest.Wait()
		want := fmt.Sprintf("udp: %d more datagrams", 10000-maxLogged)
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log does not say %q; it is:\n%s", want, logs.String())
		}
	})
}

func TestServerUDP(t *testing.T) {
	t.Run("a datagram gets the time back", func(t *testing.T) {
		addr := startServer(t, "-udp")
		reply, _ := datagram(t, addr, "what time is it?")
		if err := checkTime(reply); err != nil {
			t.Error(err)
		}
	})

	t.Run("TCP still works with -udp", func(t *testing.T) {
		addr := startServer(t, "-udp")
		wantTime(t, addr)
	})
}
