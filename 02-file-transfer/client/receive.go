package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
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

// message is the json protocol's one object. A server that is busy sends
// an error instead, in both protocols.
type message struct {
	Filename string `json:"filename"`
	Filedata []byte `json:"filedata"` // base64 in the JSON
	Error    string `json:"error"`
	Message  string `json:"message"`
}

// receiveJSON reads the tutorial's message: one JSON object holding the
// file name and the file as base64, ended by the server closing the
// connection. It saves the file in root.
//
// The decoder reads from the connection as the data arrives; the whole
// message must be in memory before the name and the file can be known,
// since either may come last. The limit keeps that memory bounded.
func receiveJSON(in *countingReader, root *os.Root, cfg config) (saved, error) {
	// base64 turns every 3 bytes into 4 characters; allow some more for
	// the rest of the object.
	limit := (int64(cfg.maxSize)+2)/3*4 + maxHeader
	tooLarge := fmt.Errorf("file is larger than -max-size %v", cfg.maxSize)
	br := bufio.NewReader(io.LimitReader(in, limit+1))
	dec := json.NewDecoder(br)
	var msg message
	err := checkStart(br, cfg.addr)
	if err == nil {
		err = dec.Decode(&msg)
	}
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		b64Err    base64.CorruptInputError
	)
	switch {
	case in.n > limit:
		return saved{}, tooLarge
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return saved{}, fmt.Errorf("connection closed after %d bytes, "+
			"before the JSON object was complete", in.n)
	case errors.As(err, &b64Err):
		return saved{}, fmt.Errorf("filedata is not valid base64: %w", err)
	case errors.As(err, &syntaxErr), errors.As(err, &typeErr):
		return saved{}, fmt.Errorf("server sent invalid JSON: %w", err)
	case err != nil:
		return saved{}, err // from the connection
	case msg.Error != "":
		return saved{}, refused(msg.Error, msg.Message)
	case msg.Filedata == nil:
		return saved{}, errors.New(`server sent no "filedata" ` +
			`(is it speaking -proto stream?)`)
	}
	if err := checkEnd(dec); err != nil {
		if in.n > limit {
			return saved{}, tooLarge
		}
		return saved{}, err
	}
	if int64(len(msg.Filedata)) > int64(cfg.maxSize) {
		return saved{}, tooLarge
	}
	return save(root, msg.Filename, cfg.overwrite, int64(len(msg.Filedata)),
		func(w io.Writer) error {
			_, err := w.Write(msg.Filedata)
			return err
		})
}

// checkEnd checks that the JSON object is all there is: the server closes
// the connection after it.
func checkEnd(dec *json.Decoder) error {
	var syntaxErr *json.SyntaxError
	switch _, err := dec.Token(); {
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("server did not close the connection "+
			"after the JSON object: %w", err)
	case err == nil, errors.As(err, &syntaxErr):
		return errors.New("server sent more after the JSON object " +
			"(the message is one object, then the end of the connection)")
	default:
		return fmt.Errorf("after the JSON object: %w", err)
	}
}

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
		return header{}, refused(*raw.Error, raw.Message)
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
