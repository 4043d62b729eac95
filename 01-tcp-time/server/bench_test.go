package main

import (
	"context"
	"io"
	"log"
	"net"
	"testing"
	"time"
)

// BenchmarkServer measures how many clients a second the server serves:
// each connects, reads the time to EOF and closes, with 8 clients per core
// at once. Compare it with BenchmarkBareLoop.
func BenchmarkServer(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	s := &server{logger: log.New(io.Discard, "", 0), timeout: 5 * time.Second}
	go func() { done <- s.serve(ctx, ln, nil) }()
	benchmarkClients(b, ln.Addr().String())
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBareLoop is the least a TCP time server can do: accept, write,
// close, one client after another, with no goroutine, deadline or log. The
// server above should come close to it.
func BenchmarkBareLoop(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed below
			}
			_, _ = io.WriteString(conn, time.Now().Format(layout)+"\r\n")
			_ = conn.Close()
		}
	}()
	benchmarkClients(b, ln.Addr().String())
	_ = ln.Close()
	<-done
}

// benchmarkClients runs clients against addr in parallel (RunParallel, not
// b.Loop, which runs one at a time) and reports clients served a second.
// With only one client per core, each would mostly wait for its own
// connection; eight keep the server busy, which is what is measured.
func benchmarkClients(b *testing.B, addr string) {
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			reply, err := askTime(addr)
			if err != nil || len(reply) != len(layout)+2 {
				b.Errorf("got %q, %v, want the time", reply, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conns/s")
}
