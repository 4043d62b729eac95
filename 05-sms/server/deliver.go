package main

import (
	"crypto/rand"
	"fmt"
	"time"
	"unicode/utf8"
)

const (
	maxPerDay  = 5       // to one number: here every message is a code
	maxNumbers = 100_000 // different numbers remembered in one day
)

// sendLog is what the gateway remembers about one number today.
type sendLog struct {
	last  time.Time // when the last message to it was accepted
	count int       // how many were accepted today
}

// deliver applies the rate limits to a message to number (normalized)
// and, if they let it through, "sends" it: it prints it on stdout. It
// returns the code and the message's smsid.
func (g *gateway) deliver(number, content string) (int, string) {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	// Counts start again each day: the map does not grow for ever.
	if day := now.Format(time.DateOnly); day != g.day {
		g.day, g.sent = day, map[string]sendLog{}
	}
	prev, seen := g.sent[number]
	switch {
	case !seen && len(g.sent) >= g.maxNumbers:
		return 0, "0"
	case seen && now.Sub(prev.last) < time.Second:
		return 4080, "0"
	case seen && prev.count >= maxPerDay:
		return 4085, "0"
	}
	// Quoted, a "\r" or an escape sequence cannot fake or hide a line on
	// the terminal; %.200q cuts at 200 characters. One write, under the
	// lock, so that lines never mix.
	smsid := rand.Text() // random base32: a fresh id for each message
	text := fmt.Sprintf("%.200q", content)
	if more := utf8.RuneCountInString(content) - 200; more > 0 {
		text += fmt.Sprintf("... (%d more characters)", more)
	}
	if _, err := fmt.Fprintf(g.stdout, "%s (smsid %s): %s\n", mask(number),
		smsid, text); err != nil {
		g.log.Printf("print message: %v", err)
		return 0, "0"
	}
	g.sent[number] = sendLog{last: now, count: prev.count + 1}
	return 2, smsid
}
