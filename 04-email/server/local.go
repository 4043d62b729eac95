// This file is the same in 04-email/client, 04-email/server and
// 05-sms/server; a test keeps the copies identical.

package main

import "net/netip"

// isLoopbackAddr reports whether addr, a HOST:PORT such as a connection's
// other end, is a loopback address (127.0.0.0/8, ::1), whose traffic never
// leaves this machine: by address, never by a name, which may change.
func isLoopbackAddr(addr string) bool {
	ap, err := netip.ParseAddrPort(addr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}
