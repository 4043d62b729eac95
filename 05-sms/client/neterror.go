// This file is the same in 03-image-download/client and 05-sms/client; a
// test keeps the copies identical.

package main

import "fmt"

// netError is an error whose text holds what a peer sent: it prints in
// Go's quoted form (%q), at most 200 characters of it, and errors.Is and
// errors.As still see the error inside.
type netError struct{ err error }

func (e netError) Error() string { return fmt.Sprintf("%.200q", e.err.Error()) }
func (e netError) Unwrap() error { return e.err }
