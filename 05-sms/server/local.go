// This file is the same in both servers that treat this machine apart:
// 04-email/server and 05-sms/server. A test keeps the copies identical.

package main

import "net/netip"

// isLoopbackAddr reports whether addr, a HOST:PORT such as a client's
// address, is a loopback address (127.0.0.0/8, ::1): traffic to and from
// it never leaves this machine.
func isLoopbackAddr(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
