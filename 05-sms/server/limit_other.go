// This file is the same in 02-file-transfer/server, 03-image-download/server
// and 05-sms/server; a test keeps the copies identical.

//go:build !unix

package main

// openFiles returns 0, no limit: Windows, like the other systems that
// are not Unix, sets none that a server must keep its cap under.
func openFiles() uint64 { return 0 }
