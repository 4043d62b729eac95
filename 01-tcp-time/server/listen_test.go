package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestServerBindErrors(t *testing.T) {
	// The context is canceled already: if the bind wrongly succeeded,
	// run would return at once instead of serving.
	canceled, cancel := context.WithCancel(context.Background())
	cancel()

	t.Run("a port in use says to choose another", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		err = run(canceled, []string{"-addr", taken.Addr().String()},
			nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "choose another port") {
			t.Errorf("got %v, want an error that says to choose another port", err)
		}
	})

	t.Run("a UDP port in use says to choose another", func(t *testing.T) {
		taken, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		err = run(canceled, []string{"-addr", taken.LocalAddr().String(), "-udp"},
			nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "choose another port") {
			t.Errorf("got %v, want an error that says to choose another port", err)
		}
	})

	// What net.Listen returns in each case, and what the hint says.
	hints := []struct {
		name, addr, want string
		err              syscall.Errno
	}{
		{name: "a port in use, from the system", err: syscall.EADDRINUSE,
			addr: "127.0.0.1:6789", want: "choose another port, e.g. -addr 127.0.0.1:6790"},
		{name: "a port in use, from Windows", err: syscall.Errno(10048),
			addr: "127.0.0.1:6789", want: "choose another port, e.g. -addr 127.0.0.1:6790"},
		{name: "an address of another machine, such as the tutorial's",
			err: syscall.EADDRNOTAVAIL, addr: "192.168.1.2:6789",
			want: "192.168.1.2 is not an address of this machine: use -addr 127.0.0.1:6789"},
		{name: "an address of another machine, from Windows",
			err: syscall.Errno(10049), addr: "192.168.1.2:6789",
			want: "192.168.1.2 is not an address of this machine"},
		{name: "a port Windows keeps for Hyper-V or WSL",
			err: syscall.Errno(10013), addr: "127.0.0.1:50000",
			want: "excludedportrange protocol=tcp lists them: choose another port, e.g. -addr 127.0.0.1:50001"},
		{name: "a port below 1024", err: syscall.EACCES, addr: "127.0.0.1:13",
			want: "ports below 1024 need administrator rights"},
	}
	for _, tc := range hints {
		t.Run(tc.name+" gets a hint", func(t *testing.T) {
			err := &net.OpError{Op: "listen", Net: "tcp",
				Err: os.NewSyscallError("bind", tc.err)}
			got := explainListen(err, tc.addr)
			if !errors.Is(got, tc.err) {
				t.Errorf("got %v, want it to wrap %v", got, tc.err)
			}
			if !strings.Contains(got.Error(), tc.want) {
				t.Errorf("got %q, want it to say %q", got, tc.want)
			}
		})
	}
}
