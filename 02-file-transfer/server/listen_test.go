package main

import (
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestExplainListen(t *testing.T) {
	// What net.Listen returns, for each cause, as Linux and Windows
	// report it.
	failed := func(errno syscall.Errno) error {
		return &net.OpError{Op: "listen", Net: "tcp",
			Err: os.NewSyscallError("bind", errno)}
	}
	tests := []struct {
		name  string
		errno syscall.Errno
		hint  string // "" for no hint
	}{
		{"a port in use is explained", syscall.EADDRINUSE, "is using port 5566"},
		{"a port in use on Windows is explained", wsaeaddrinuse, "is using port 5566"},
		{"an address of another machine is explained", syscall.EADDRNOTAVAIL,
			"192.0.2.1 is not an address of this machine"},
		{"an address of another machine on Windows is explained", wsaeaddrnotavail,
			"192.0.2.1 is not an address of this machine"},
		{"a port Windows keeps for Hyper-V is explained", wsaeacces, "excludedportrange"},
		{"a port below 1024 is explained", syscall.EACCES, "administrator"},
		{"anything else is left as it is", syscall.ENOBUFS, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := explainListen(failed(tc.errno), "192.0.2.1:5566")
			if !errors.Is(err, tc.errno) {
				t.Errorf("got %v, want it to wrap %v", err, tc.errno)
			}
			got := strings.TrimPrefix(err.Error(), failed(tc.errno).Error())
			switch {
			case tc.hint == "" && got != "":
				t.Errorf("got hint %q, want none", got)
			case !strings.Contains(got, tc.hint):
				t.Errorf("got hint %q, want one containing %q", got, tc.hint)
			}
			if tc.errno != syscall.EADDRINUSE && tc.errno != wsaeaddrinuse &&
				strings.Contains(got, "is using port") {
				t.Errorf("got hint %q: another program is not the cause", got)
			}
		})
	}
}
