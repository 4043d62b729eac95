package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

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
func receiveJSON(in *countingReader, root *os.Root, cfg config) (saved, error) {
	msg, err := readMessage(in, cfg)
	if err != nil {
		return saved{}, err
	}
	return save(root, msg.Filename, cfg.overwrite, int64(len(msg.Filedata)),
		func(w io.Writer) error {
			_, err := w.Write(msg.Filedata)
			return err
		})
}

// readMessage decodes the message, and checks that it holds a file no
// larger than cfg.maxSize and that the connection ends after it.
//
// The decoder reads from the connection as the data arrives; the whole
// message must be in memory before the name and the file can be known,
// since either may come last. The limit keeps that memory bounded.
func readMessage(in *countingReader, cfg config) (message, error) {
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
	switch {
	case in.n > limit:
		return message{}, tooLarge
	case err != nil:
		return message{}, decodeError(err, in.n)
	case msg.Error != "":
		return message{}, serverRefusal(msg.Error, msg.Message)
	case msg.Filedata == nil:
		return message{}, errors.New(`server sent no "filedata" ` +
			`(is it speaking -proto stream?)`)
	}
	if err := checkEnd(dec); err != nil {
		if in.n > limit {
			return message{}, tooLarge
		}
		return message{}, err
	}
	if int64(len(msg.Filedata)) > int64(cfg.maxSize) {
		return message{}, tooLarge
	}
	return msg, nil
}

// decodeError says what went wrong when the message could not be
// decoded, after n bytes of it were read.
func decodeError(err error, n int64) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		b64Err    base64.CorruptInputError
	)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("connection closed after %d bytes, "+
			"before the JSON object was complete", n)
	case errors.As(err, &b64Err):
		return fmt.Errorf("filedata is not valid base64: %w", err)
	case errors.As(err, &syntaxErr), errors.As(err, &typeErr):
		return fmt.Errorf("server sent invalid JSON: %w", err)
	}
	return err // from the connection, or checkStart's
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
