// This file is the same in 02-file-transfer/server, 03-image-download/server
// and 05-sms/server; a test keeps the copies identical.

//go:build unix

package main

import "syscall"

// openFiles returns how many files the process may have open at once
// (ulimit -n), or 0 if the system does not say.
func openFiles() uint64 {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0 // then the server holds the connections -max-conns says
	}
	return uint64(lim.Cur) // an int64 on some systems
}
