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
