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

// message is the json protocol's one object (Filedata is base64 in it),
// or a busy server's answer. Keys match fields in any letter case.
type message struct {
	Filename, Error, Message string
	Filedata                 []byte
}

// receiveJSON reads the tutorial's message, ended by the server closing
// the connection, and saves the file in root. The whole message is in
// memory (the name may come last): -max-size bounds it.
func receiveJSON(in *deadlineReader, root *os.Root, cfg config) (saved, error) {
	// base64 is 4 characters for 3 bytes; the rest of the object, more.
	limit := (int64(cfg.maxSize)+2)/3*4 + maxHeader
	br := bufio.NewReader(io.LimitReader(in, limit+1))
	dec := json.NewDecoder(br)
	var msg message
	err := checkStart(br, cfg.addr)
	if err == nil {
		err = dec.Decode(&msg)
	}
	if err == nil && msg.Error == "" && msg.Filedata != nil {
		_, err = dec.Token()
		err = endOf("the JSON object", err)
	}
	switch {
	case in.n > limit || int64(len(msg.Filedata)) > int64(cfg.maxSize):
		return saved{}, fmt.Errorf("file is larger than -max-size %v", cfg.maxSize)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return saved{}, fmt.Errorf("connection closed after %d bytes, "+
			"before the JSON object was complete", in.n)
	case errors.As(err, new(base64.CorruptInputError)):
		return saved{}, fmt.Errorf("filedata is not valid base64: %w", err)
	case errors.As(err, new(*json.SyntaxError)),
		errors.As(err, new(*json.UnmarshalTypeError)):
		return saved{}, fmt.Errorf("server sent invalid JSON: %w", err)
	case err != nil:
		return saved{}, err // from the connection, checkStart or endOf
	case msg.Error != "":
		return saved{}, serverRefusal(msg.Error, msg.Message)
	case msg.Filedata == nil:
		return saved{}, errors.New(`server sent no "filedata" ` +
			`(is it speaking -proto stream?)`)
	}
	h := header{Filename: msg.Filename, Size: int64(len(msg.Filedata))}
	return save(root, cfg, h, func(w io.Writer) error {
		_, err := w.Write(msg.Filedata)
		return err
	})
}
