package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

var (
	errBusy          = errors.New("server busy") // every slot is taken
	errRefused       = errors.New("server refused")
	errNotFileServer = errors.New("not a file server") // a web server
	errUnsafeName    = errors.New("unsafe name")       // see safeName
)

// checkStart checks that the answer starts with "{", as both protocols'
// do: a peer that speaks something else is not a file server. JSON allows
// white space first, but for ever? The "{" must come within maxHeader.
func checkStart(br *bufio.Reader, addr string) error {
	for range maxHeader {
		b, err := br.ReadByte()
		switch {
		case err != nil:
			return err
		case b == '{':
			return br.UnreadByte()
		case !strings.ContainsRune(" \t\r\n", rune(b)):
			_ = br.UnreadByte() // undoes the ReadByte above: cannot fail
			got, _ := br.Peek(br.Buffered())
			return fmt.Errorf("%s is %w (is -addr right?): it sent %.200q",
				addr, errNotFileServer, got)
		}
	}
	return fmt.Errorf("%s is %w (is -addr right?): it sent %d bytes of "+
		"white space and no JSON", addr, errNotFileServer, maxHeader)
}

// serverRefusal is the error for a refusal: busy is worth trying again.
func serverRefusal(code, message string) error {
	if message != "" {
		message = fmt.Sprintf(" (%.200q)", message)
	}
	if code == "busy" {
		return fmt.Errorf("%w%s: try again in a few seconds", errBusy, message)
	}
	return fmt.Errorf("%w: %.200q%s", errRefused, code, message)
}

// save checks the name the server sent, then has saveFile save what
// write writes in root.
func save(root *os.Root, cfg config, h header,
	write func(io.Writer) error) (saved, error) {
	if err := safeName(h.Filename); err != nil {
		return saved{}, fmt.Errorf("server sent an %w (%v): %.200q",
			errUnsafeName, err, h.Filename)
	}
	used, err := saveFile(root, h.Filename, cfg.overwrite, write)
	if err != nil {
		return saved{}, err
	}
	return saved{name: used, asked: h.Filename, size: h.Size}, nil
}
