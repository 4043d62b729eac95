package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// TestNoAnswer checks what the client says when no answer comes: a
// timeout may have sent the message, a refused connection did not.
func TestNoAnswer(t *testing.T) {
	// Time is what this case is about: in a synctest bubble the clock
	// is fake and moves only when every goroutine in it waits, so the
	// 10-second timeout takes no time at all, and a busy machine cannot
	// make it pass or fail. The gateway is an http.Server on a pipe
	// listener: real sockets have no place in a bubble.
	t.Run("a gateway that never answers times out", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			pl := loopback.NewPipeListener()
			srv := &http.Server{Handler: http.HandlerFunc(func(
				w http.ResponseWriter, r *http.Request) {
				// Read the form first: only then does the server notice
				// that the client has gone, and end the context.
				_, _ = io.Copy(io.Discard, r.Body)
				<-r.Context().Done()
			})}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(pl) }()

			cfg, err := parseFlags([]string{"-mobile", "13812345678"},
				func(k string) string { return env[k] }, io.Discard)
			if err != nil {
				t.Fatalf("got %s, want no error", errText(err))
			}
			client := newClient(cfg.timeout)
			transport := &http.Transport{DialContext: pl.DialContext}
			client.Transport = transport
			defer func() { // also after t.Fatal, so that the bubble ends
				transport.CloseIdleConnections()
				_ = srv.Close() // ends the handler, if the client did not
				<-served
			}()
			var stdout bytes.Buffer
			start := time.Now()
			err = sendWithin(t, cfg, client, &stdout)
			if elapsed := time.Since(start); elapsed != 10*time.Second {
				t.Errorf("gave up after %v, want the default -timeout, 10s",
					elapsed)
			}
			if err == nil || !strings.Contains(err.Error(), "no answer in time") ||
				!strings.Contains(err.Error(), "may still have been sent") {
				t.Errorf("got %s, want a timeout that may have sent",
					errText(err))
			}
			if stdout.Len() > 0 {
				t.Errorf("printed %q, want nothing", stdout.String())
			}
		})
	})

	t.Run("a refused connection says to start the gateway", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("got %s, want no error", errText(err))
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		_, _, err = sendSMS(t, "http://"+addr+"/webservice/sms.php?method=Submit",
			env, "-mobile", "13812345678")
		refused := errors.Is(err, syscall.ECONNREFUSED) ||
			errors.Is(err, wsaeconnrefused) // Windows' code for it
		if !refused || !strings.Contains(err.Error(), "is the gateway running?") {
			t.Errorf("got %s, want connection refused, and the hint",
				errText(err))
		}
	})
}

// sendWithin sends with cfg and client in a synctest bubble, and returns
// send's error; it fails the test if send still waits a minute later on
// the bubble's clock: the client never gave up, and the bubble would
// end in a deadlock. The caller closes the gateway, which ends send.
func sendWithin(t *testing.T, cfg *config, client *http.Client,
	stdout io.Writer) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cfg.send(context.Background(), client, stdout) }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("the client never gave up: still no answer a minute " +
			"after the post, want it to stop at -timeout (10s)")
		return nil
	}
}
