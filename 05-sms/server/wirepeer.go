// This file is the same in every server of chapters 02 to 05:
// 02-file-transfer/server, 03-image-download/server, 04-email/server and
// 05-sms/server. A test keeps the copies identical.

package main

// peer returns a wire for one client of a server: it prints where l
// prints, each line starting with the client's address, so that the lines
// of several clients served at once can be told apart.
func (l *wire) peer(addr string) *wire {
	if l == nil {
		return nil
	}
	return &wire{mu: l.mu, w: l.w, prefix: addr + " "}
}
