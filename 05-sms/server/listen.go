// This file is the same in 01-tcp-time/server, 02-file-transfer/server,
// 03-image-download/server, 04-email/server and 05-sms/server; a test keeps
// the copies identical.

package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// explainListen adds to a failed Listen on addr what the learner can do.
func explainListen(err error, addr string) error {
	host, port, _ := net.SplitHostPort(addr) // Listen has checked its form
	other := "another port"
	if n, convErr := strconv.Atoi(port); convErr == nil && n > 0 && n < 65535 {
		other += ", e.g. -addr " + net.JoinHostPort(host, strconv.Itoa(n+1))
	}
	switch {
	case errors.Is(err, syscall.EADDRINUSE), errors.Is(err, wsaeaddrinuse):
		return fmt.Errorf("%w (another program, perhaps another copy of "+
			"this server, is using port %s: stop it, or choose %s)",
			err, port, other)
	case errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, wsaeaddrnotavail):
		return fmt.Errorf("%w (%s is not an address of this machine: "+
			"use -addr %s for this machine only, or -addr %s to let "+
			"other machines in)", err, host, net.JoinHostPort("127.0.0.1", port),
			net.JoinHostPort("0.0.0.0", port))
	case errors.Is(err, wsaeacces):
		return fmt.Errorf("%w (Windows keeps this port for Hyper-V, WSL "+
			"or another service; netsh interface ipv4 show "+
			"excludedportrange protocol=tcp lists them: choose %s)", err, other)
	case errors.Is(err, syscall.EACCES):
		return fmt.Errorf("%w (ports below 1024 need administrator "+
			"rights: choose a port from 1024 up)", err)
	}
	return err
}

// Windows reports the errors above with codes of its own.
const (
	wsaeacces        = syscall.Errno(10013)
	wsaeaddrinuse    = syscall.Errno(10048)
	wsaeaddrnotavail = syscall.Errno(10049)
)
