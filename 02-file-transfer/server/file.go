package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// errNotRegular reports a -file that is not a file, such as a folder.
var errNotRegular = errors.New("not a regular file")

// file is what the server sends: a name, and bytes that every client
// reads from the same open file at once (ReadAt does not move a shared
// offset, so the clients do not get in each other's way).
type file struct {
	name   string
	size   int64
	sha256 string // hex
	data   io.ReaderAt
	close  func() error
	json   []byte // the whole JSON message, made by encodeJSON
}

// load opens the file at path, or makes the sample picture if path is "".
func load(path string) (*file, error) {
	if path == "" {
		pic, err := samplePNG()
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(pic)
		return &file{
			name:   "sample.png",
			size:   int64(len(pic)),
			sha256: hex.EncodeToString(sum[:]),
			data:   bytes.NewReader(pic),
			close:  func() error { return nil },
		}, nil
	}

	fd, err := os.Open(path)
	if err != nil {
		return nil, fileError(err)
	}
	info, err := fd.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("%s is %w (a folder?): -file takes the path "+
			"of one file", quoteLine(path), errNotRegular)
	}
	if err != nil {
		_ = fd.Close() // we are giving up on it
		return nil, fileError(err)
	}
	f := &file{
		name:  filepath.Base(path), // never send the folders: they are ours
		size:  info.Size(),
		data:  fd,
		close: fd.Close,
	}
	h := sha256.New()
	if _, err := io.Copy(h, f.body()); err != nil {
		_ = fd.Close()
		return nil, fileError(err)
	}
	f.sha256 = hex.EncodeToString(h.Sum(nil))
	return f, nil
}

// fileError is err, about -file, with the path in it made safe to print:
// a file name can hold anything, escape sequences too. quoteLine (in
// wire.go) leaves the backslashes of a Windows path as they are.
func fileError(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		pathErr.Path = quoteLine(pathErr.Path)
	}
	return fmt.Errorf("-file: %w", err)
}

// body returns a reader of the file's bytes, independent of every other.
func (f *file) body() io.Reader { return io.NewSectionReader(f.data, 0, f.size) }

func (f *file) Close() error { return f.close() }

// sender returns what sends the file to one client in protocol proto,
// and how many bytes that is. For json, the tutorial encodes the file
// once and sends the same string to every client: so does this server.
func (f *file) sender(proto string) (send func(io.Writer) error, size int64,
	err error) {
	if proto == "stream" {
		return f.sendStream, int64(len(f.streamHeader())) + f.size, nil
	}
	if err := f.encodeJSON(); err != nil {
		return nil, 0, err
	}
	return f.sendJSON, int64(len(f.json)), nil
}

// encodeJSON makes the tutorial's message. JSON strings hold text, not
// bytes, so the file travels as base64: 4 characters for every 3 bytes.
// encoding/json does that by itself for a []byte field.
func (f *file) encodeJSON() error {
	data, err := io.ReadAll(f.body())
	if err != nil {
		return fmt.Errorf("read %s: %w", f.name, err)
	}
	f.json, err = json.Marshal(struct {
		Filename string `json:"filename"`
		Filedata []byte `json:"filedata"`
	}{f.name, data})
	return err
}

// sendJSON writes the JSON message. The client knows it has all of it
// when the connection closes: the message has no length of its own.
func (f *file) sendJSON(w io.Writer) error {
	_, err := w.Write(f.json)
	return err
}

// streamHeader is the stream protocol's header line: what follows. The
// size tells the client where the file ends, and the checksum that it
// arrived intact.
func (f *file) streamHeader() []byte {
	header, err := json.Marshal(struct {
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
		SHA256   string `json:"sha256"`
	}{f.name, f.size, f.sha256})
	if err != nil {
		panic(err) // two strings and a number always marshal
	}
	return append(header, '\n')
}

// sendStream writes the header line, then the file's bytes as they are.
func (f *file) sendStream(w io.Writer) error {
	if _, err := w.Write(f.streamHeader()); err != nil {
		return err
	}
	// io.Copy moves 32 KiB at a time: memory stays the same however
	// large the file, and however many clients there are.
	n, err := io.Copy(w, f.body())
	if err == nil && n != f.size {
		err = fmt.Errorf("sent %d of %d bytes: the file changed on disk", n, f.size)
	}
	return err
}

// samplePNG draws the sample picture: a 256×256 color gradient with a
// circle, a few KiB as a PNG.
func samplePNG() ([]byte, error) {
	const size = 256
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			c := color.NRGBA{R: uint8(x), G: uint8(y), B: 160, A: 255}
			dx, dy := x-size/2, y-size/2
			if dx*dx+dy*dy < 64*64 {
				c = color.NRGBA{R: 255, G: 255 - uint8(y), B: uint8(x), A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("draw the sample picture: %w", err)
	}
	return buf.Bytes(), nil
}
