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

// maxHeader bounds the stream protocol's header line.
const maxHeader = 4096

// header is the stream protocol's first line.
type header struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
}

// receiveStream reads a header line, then exactly the number of bytes it
// announces, hashing them on the way to disk; nothing of the file is held
// in memory. It saves the file in root.
func receiveStream(in *countingReader, root *os.Root, cfg config) (saved, error) {
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
	return save(root, h.Filename, cfg.overwrite, h.Size, func(w io.Writer) error {
		return copyChecked(w, br, h)
	})
}

// copyChecked copies the file's h.Size bytes from br to w, and checks
// that nothing follows and that the checksum is the header's.
func copyChecked(w io.Writer, br *bufio.Reader, h header) error {
	hash := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, hash), io.LimitReader(br, h.Size))
	if err != nil {
		return fmt.Errorf("received %d of %d bytes: %w", n, h.Size, err)
	}
	if n < h.Size {
		return fmt.Errorf("connection closed after %d of %d bytes", n, h.Size)
	}
	// The server closes right after the file: anything more means it
	// and we disagree about the size.
	switch _, err := br.ReadByte(); {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("server did not close the connection "+
			"after the file: %w", err)
	case err == nil:
		return fmt.Errorf("server sent more than the %d bytes it announced", h.Size)
	case !errors.Is(err, io.EOF):
		return fmt.Errorf("after the file: %w", err)
	}
	if got := hex.EncodeToString(hash.Sum(nil)); got != h.SHA256 {
		return fmt.Errorf("checksum mismatch: the %d bytes received "+
			"have sha256 %s, the server announced %s", n, got, h.SHA256)
	}
	return nil
}

// parseHeader checks the stream protocol's header line: a JSON object with
// a file name, a size from 0 up, and a sha256 in hex. It does not judge the
// name; safeName does. A busy server's line has an error instead.
func parseHeader(line []byte) (header, error) {
	var raw struct {
		Filename *string `json:"filename"`
		Size     *int64  `json:"size"`
		SHA256   *string `json:"sha256"`
		Error    *string `json:"error"`
		Message  string  `json:"message"`
	}
	if err := json.Unmarshal(line, &raw); err != nil {
		return header{}, fmt.Errorf("bad header line %s: %w", quote(string(line)), err)
	}
	switch {
	case raw.Error != nil:
		return header{}, serverRefusal(*raw.Error, raw.Message)
	case raw.Filename == nil || raw.Size == nil || raw.SHA256 == nil:
		return header{}, fmt.Errorf("bad header line %s: "+
			"want filename, size and sha256", quote(string(line)))
	case *raw.Size < 0:
		return header{}, fmt.Errorf("bad header line: size %d", *raw.Size)
	case !isSHA256(*raw.SHA256):
		return header{}, fmt.Errorf("bad header line: sha256 %s is not "+
			"64 hex digits", quote(*raw.SHA256))
	}
	return header{*raw.Filename, *raw.Size, strings.ToLower(*raw.SHA256)}, nil
}

func isSHA256(s string) bool {
	_, err := hex.DecodeString(s)
	return len(s) == 2*sha256.Size && err == nil
}
