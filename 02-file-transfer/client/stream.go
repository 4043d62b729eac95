package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// maxHeader bounds the header line, and the white space before any JSON.
const maxHeader = 4096

// header is the stream protocol's first line.
type header struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
}

// receiveStream reads a header line, then exactly the bytes it announces
// into a file in root, hashing them on the way: none are held in memory.
func receiveStream(in *deadlineReader, root *os.Root, cfg config) (saved, error) {
	br := bufio.NewReaderSize(in, maxHeader)
	var line []byte
	err := checkStart(br, cfg.addr)
	if err == nil {
		line, err = br.ReadSlice('\n')
	}
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return saved{}, fmt.Errorf("header line is longer than %d bytes "+
			"(is the server speaking -proto json?)", maxHeader)
	case errors.Is(err, io.EOF):
		return saved{}, fmt.Errorf("connection closed after %d bytes, "+
			"before the header line ended (is the server speaking "+
			"-proto json?)", in.n)
	case err != nil:
		return saved{}, err
	}
	h, err := parseHeader(line)
	if err != nil {
		return saved{}, err
	}
	if h.Size > int64(cfg.maxSize) {
		return saved{}, fmt.Errorf("file is larger than -max-size %v "+
			"(the server announced %d bytes)", cfg.maxSize, h.Size)
	}
	return save(root, cfg, h, func(w io.Writer) error {
		return copyChecked(w, br, h)
	})
}

// copyChecked copies h.Size bytes from br to w, and checks that nothing
// follows and that the checksum is the header's.
func copyChecked(w io.Writer, br *bufio.Reader, h header) error {
	hash := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, hash), io.LimitReader(br, h.Size))
	if err != nil {
		return fmt.Errorf("received %d of %d bytes: %w", n, h.Size, err)
	}
	if n < h.Size {
		return fmt.Errorf("connection closed after %d of %d bytes", n, h.Size)
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		return endOf(fmt.Sprintf("the %d bytes it announced", n), err)
	}
	if got := hex.EncodeToString(hash.Sum(nil)); got != h.SHA256 {
		return fmt.Errorf("checksum mismatch: the %d bytes received "+
			"have sha256 %s, the server announced %s", n, got, h.SHA256)
	}
	return nil
}

// parseHeader checks the header line: a JSON object with a file name
// (safeName judges it), a size from 0 up, and a sha256 in hex; or an error.
func parseHeader(line []byte) (header, error) {
	var raw struct { // json matches names in any case: sha256 is SHA256
		Filename, SHA256, Error *string
		Size                    *int64
		Message                 string
	}
	if err := json.Unmarshal(line, &raw); err != nil {
		return header{}, fmt.Errorf("bad header line %.200q: %w", line, err)
	}
	switch {
	case raw.Error != nil:
		return header{}, serverRefusal(*raw.Error, raw.Message)
	case raw.Filename == nil || raw.Size == nil || raw.SHA256 == nil:
		return header{}, fmt.Errorf("bad header line %.200q: "+
			"want filename, size and sha256", line)
	case *raw.Size < 0:
		return header{}, fmt.Errorf("bad header line: size %d", *raw.Size)
	case !isSHA256(*raw.SHA256):
		return header{}, fmt.Errorf("bad header line: sha256 %.200q is not "+
			"64 hex digits", *raw.SHA256)
	}
	return header{*raw.Filename, *raw.Size, strings.ToLower(*raw.SHA256)}, nil
}

func isSHA256(s string) bool {
	_, err := hex.DecodeString(s)
	return len(s) == 2*sha256.Size && err == nil
}

// endOf checks, from err, what a read after what returned, that the server
// closed the connection: more means we disagree where the message ends.
func endOf(what string, err error) error {
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("server did not close the connection after %s: %w",
			what, err)
	case err == nil, errors.As(err, new(*json.SyntaxError)):
		return fmt.Errorf("server sent more after %s", what)
	}
	return fmt.Errorf("after %s: %w", what, err)
}
