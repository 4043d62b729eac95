package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// The server's answer is text from the network: whatever the client
// prints of it (a file name, a header, an error message) goes through
// quote, so that a peer cannot send terminal escapes that clear the screen
// or fake a line of output. And what the client cannot use, it names
// for what it is: a busy server, a peer that is not a file server at
// all, a file name that would be unsafe on some system.

var (
	// errBusy is the server's answer when every slot is taken.
	errBusy = errors.New("server busy")
	// errNotFileServer is for a peer whose answer is not JSON at all:
	// the time server of chapter 01, a web server.
	errNotFileServer = errors.New("not a file server")
	// errUnsafeName is for a file name that safeName refuses.
	errUnsafeName = errors.New("unsafe name")
)

// checkStart checks that the answer starts with "{", as both protocols'
// do, so that a peer that speaks something else is told apart from a
// file server that sent bad JSON. JSON allows white space first, but a
// peer could send it for ever: the "{" must come within maxHeader bytes.
func checkStart(br *bufio.Reader, addr string) error {
	for range maxHeader {
		b, err := br.ReadByte()
		if err != nil {
			return err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return br.UnreadByte()
		}
		_ = br.UnreadByte() // undoes the ReadByte above: cannot fail
		// Show what arrived so far: its first line at most.
		got, _ := br.Peek(min(br.Buffered(), maxShown))
		if i := bytes.IndexByte(got, '\n'); i >= 0 {
			got = got[:i+1]
		}
		return fmt.Errorf("%s is %w (is -addr right?): it sent %s",
			addr, errNotFileServer, quote(string(got)))
	}
	return fmt.Errorf("%s is %w (is -addr right?): it sent %d bytes of "+
		"white space and no JSON", addr, errNotFileServer, maxHeader)
}

// serverRefusal is the error for a server's refusal: "busy" when every slot is
// taken, which is worth trying again.
func serverRefusal(code, message string) error {
	if message != "" {
		message = " (" + quote(message) + ")"
	}
	if code == "busy" {
		return fmt.Errorf("%w%s: try again in a few seconds", errBusy, message)
	}
	return fmt.Errorf("server refused: %s%s", quote(code), message)
}

// save checks name and saves size bytes that write writes in root, under
// name or, if a file has that name already and overwrite is false, the
// first free one of name-1.ext, name-2.ext, ...
func save(root *os.Root, name string, overwrite bool, size int64,
	write func(io.Writer) error) (saved, error) {
	if err := safeName(name); err != nil {
		shown := quote(name)
		if name == "" {
			shown = `""`
		}
		return saved{}, fmt.Errorf("server sent an %w (%v): %s",
			errUnsafeName, err, shown)
	}
	used, err := saveFile(root, name, overwrite, write)
	if err != nil {
		return saved{}, err
	}
	return saved{name: used, asked: name, size: size}, nil
}
