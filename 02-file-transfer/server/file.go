package main

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // for sample.png
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// errNotRegular reports a -file that is not a file, such as a folder.
var errNotRegular = errors.New("not a regular file")

// samplePNG is the picture sent without -file: the tutorial's.
//
//go:embed sample.png
var samplePNG []byte

// file is what the server sends: a name, and bytes that every client
// reads from the same open file at once.
type file struct {
	name string
	size int64
	data io.ReaderAt
	io.Closer
}

// load opens the file at path, or the sample picture if path is "".
func load(path string) (*file, error) {
	if path == "" {
		return &file{"sample.png", int64(len(samplePNG)),
			bytes.NewReader(samplePNG), io.NopCloser(nil)}, nil // nothing to close
	}
	fd, err := os.Open(path)
	if err != nil {
		return nil, fileError(err)
	}
	info, err := fd.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%q is %w (a folder?): -file takes the path "+
			"of one file", path, errNotRegular)
	}
	if err != nil {
		_ = fd.Close() // we are giving up on it
		return nil, fileError(err)
	}
	// Never send the folders: they are ours.
	return &file{filepath.Base(path), info.Size(), fd, fd}, nil
}

// fileError is err, about -file, with the path in it quoted: a file name
// can hold anything, escape sequences too.
func fileError(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		pathErr.Path = fmt.Sprintf("%q", pathErr.Path)
	}
	return fmt.Errorf("-file: %w", err)
}

// message frames the file in protocol proto. json: one JSON object, the
// file in base64 (JSON strings hold text, not bytes), encoded once for
// every client, as the tutorial does; its end is the connection's.
// stream: a header line, then the file's bytes as they are; the size
// tells the client where the file ends, the checksum that it is intact.
func (f *file) message(proto string) (message, error) {
	name, _ := json.Marshal(f.name) // a string always marshals
	data := io.NewSectionReader(f.data, 0, f.size)
	if proto == "stream" {
		sum := sha256.New()
		if _, err := io.Copy(sum, data); err != nil {
			return message{}, fmt.Errorf("read %q: %w", f.name, err)
		}
		head := fmt.Appendf(nil, `{"filename":%s,"size":%d,"sha256":"%x"}`+"\n",
			name, f.size, sum.Sum(nil))
		return message{head: head, body: f.data, size: f.size}, nil
	}
	raw, err := io.ReadAll(data)
	if err != nil {
		return message{}, fmt.Errorf("read %q: %w", f.name, err)
	}
	b64 := base64.StdEncoding.AppendEncode(nil, raw)
	return message{head: fmt.Appendf(nil, `{"filename":%s,"filedata":"`, name),
		body: bytes.NewReader(b64), size: int64(len(b64)), tail: []byte(`"}`)}, nil
}
