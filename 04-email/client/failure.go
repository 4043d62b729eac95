// This file is the same in 01-tcp-time/client, 02-file-transfer/client,
// 03-image-download/client, 04-email/client and 05-sms/client; a test keeps
// the copies identical.

package main

import (
	"context"
	"errors"
	"net"
	"os"
	"syscall"
)

// timedOut reports whether err means that time ran out: a deadline, the
// context's, or a client's timeout.
func timedOut(err error) bool {
	var netErr net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &netErr) && netErr.Timeout()
}

// refused reports whether err means that nothing listens at the address:
// the other machine refused the connection (RST).
func refused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, wsaeconnrefused)
}

const wsaeconnrefused = syscall.Errno(10061) // Windows' ECONNREFUSED
