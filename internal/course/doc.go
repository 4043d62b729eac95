// Package course holds the tests that look at the course as a whole
// rather than at one program: that the shared helper files are the same
// in every program that holds them, and that the Go code in the READMEs
// is the code, that the exercises and the tests they name are there. It
// has no code of its own.
package course
