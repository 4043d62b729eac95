// Command client receives a file from the file server and saves it in a
// folder, speaking the server's json (the tutorial's) or stream protocol.
//
// It is the Go version of the file client in the tutorial's section
// "TCP sockets". The file name comes from the network, so the client only
// accepts a plain name, writes inside -out and nowhere else, and writes
// through a temporary file, so that a failed transfer leaves nothing behind.
//
//	go run ./02-file-transfer/server
//	go run ./02-file-transfer/client -out received
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxHeader bounds the stream protocol's header line.
const maxHeader = 4096

// serverHint is added to errors that mean no server answered.
const serverHint = "is the server running? go run ./02-file-transfer/server"

// errUsage reports a mistake on the command line. The flag package has
// already printed what was wrong, so main only exits with status 2.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client [-addr HOST:PORT] [-out DIR] "+
			"[-proto json|stream] [-max-size N] [-timeout D]")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:5566", "address of the file server")
	out := fs.String("out", ".", "folder to save the file in (made if missing)")
	proto := fs.String("proto", "json", "protocol: json (the tutorial's) or stream")
	maxSize := byteSize(64 << 20)
	fs.Var(&maxSize, "max-size", "largest file to accept: a `size` in bytes, "+
		"or with KiB, MiB or GiB")
	timeout := fs.Duration("timeout", 30*time.Second,
		"how long to wait for the connection, and for each piece of data")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case *proto != "json" && *proto != "stream":
		problem = fmt.Sprintf("-proto must be json or stream, not %q", *proto)
	case *timeout <= 0:
		problem = "-timeout must be more than 0"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return errUsage
	}

	dialer := net.Dialer{Timeout: *timeout}
	conn, err := dialer.DialContext(ctx, "tcp", *addr)
	if err != nil {
		if ctx.Err() != nil {
			return errors.New("interrupted")
		}
		return fmt.Errorf("%w (%s)", err, serverHint)
	}
	defer conn.Close()
	// Ctrl-C closes the connection, which ends a read in progress.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	// Every file operation below goes through root, which refuses any
	// name that would lead outside the folder.
	root, err := os.OpenRoot(*out)
	if err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	defer root.Close()

	in := &countingReader{r: deadlineReader{conn, *timeout}}
	receive := receiveStream
	if *proto == "json" {
		receive = receiveJSON
	}
	name, size, err := receive(in, root, maxSize)
	switch {
	case ctx.Err() != nil:
		return errors.New("interrupted: nothing saved")
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("no data from %s for %v (after %d bytes): %w",
			*addr, *timeout, in.n, err)
	case err != nil:
		return err
	}
	_, err = fmt.Fprintf(stdout, "saved %s (%d bytes)\n",
		filepath.Join(*out, name), size)
	return err
}

// receiveJSON reads the tutorial's message: one JSON object holding the
// file name and the file as base64, ended by the server closing the
// connection. It saves the file in root and returns its name and size.
//
// The decoder reads from the connection as the data arrives; the whole
// message must be in memory before the name and the file can be known,
// since either may come last. The limit keeps that memory bounded.
func receiveJSON(in *countingReader, root *os.Root,
	maxSize byteSize) (string, int64, error) {
	// base64 turns every 3 bytes into 4 characters; allow some more for
	// the rest of the object.
	limit := (int64(maxSize)+2)/3*4 + maxHeader
	tooLarge := fmt.Errorf("file is larger than -max-size %v", maxSize)
	dec := json.NewDecoder(io.LimitReader(in, limit+1))
	var msg struct {
		Filename string `json:"filename"`
		Filedata []byte `json:"filedata"` // base64 in the JSON
	}
	err := dec.Decode(&msg)
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		b64Err    base64.CorruptInputError
	)
	switch {
	case in.n > limit:
		return "", 0, tooLarge
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "", 0, fmt.Errorf("connection closed after %d bytes, "+
			"before the JSON object was complete", in.n)
	case errors.As(err, &b64Err):
		return "", 0, fmt.Errorf("filedata is not valid base64: %w", err)
	case errors.As(err, &syntaxErr), errors.As(err, &typeErr):
		return "", 0, fmt.Errorf("server sent invalid JSON: %w", err)
	case err != nil:
		return "", 0, err // from the connection
	}
	if msg.Filedata == nil {
		return "", 0, errors.New(`server sent no "filedata" ` +
			`(is it speaking -proto stream?)`)
	}
	// The object must be all there is: the server closes after it.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		switch {
		case in.n > limit:
			return "", 0, tooLarge
		case errors.Is(err, os.ErrDeadlineExceeded):
			return "", 0, fmt.Errorf("server did not close the connection "+
				"after the JSON object: %w", err)
		}
		return "", 0, fmt.Errorf("server sent more after the JSON object (%w)", err)
	}
	if int64(len(msg.Filedata)) > int64(maxSize) {
		return "", 0, tooLarge
	}
	name, err := safeName(msg.Filename)
	if err != nil {
		return "", 0, err
	}
	err = saveAtomic(root, name, func(w io.Writer) error {
		_, err := w.Write(msg.Filedata)
		return err
	})
	return name, int64(len(msg.Filedata)), err
}

// header is the stream protocol's first line.
type header struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
}

// receiveStream reads a header line, then exactly the number of bytes it
// announces, hashing them on the way to disk; nothing of the file is held
// in memory. It saves the file in root and returns its name and size.
func receiveStream(in *countingReader, root *os.Root,
	maxSize byteSize) (string, int64, error) {
	br := bufio.NewReaderSize(in, maxHeader)
	line, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return "", 0, fmt.Errorf("header line is longer than %d bytes "+
			"(is the server speaking -proto json?)", maxHeader)
	case errors.Is(err, io.EOF):
		return "", 0, fmt.Errorf("connection closed after %d bytes, "+
			"before the header line ended (is the server speaking "+
			"-proto json?)", len(line))
	case err != nil:
		return "", 0, err
	}
	h, err := parseHeader(line)
	if err != nil {
		return "", 0, err
	}
	if h.Size > int64(maxSize) {
		return "", 0, fmt.Errorf("file is larger than -max-size %v "+
			"(the server announced %d bytes)", maxSize, h.Size)
	}
	name, err := safeName(h.Filename)
	if err != nil {
		return "", 0, err
	}

	err = saveAtomic(root, name, func(w io.Writer) error {
		hash := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, hash), io.LimitReader(br, h.Size))
		if err != nil {
			return fmt.Errorf("received %d of %d bytes: %w", n, h.Size, err)
		}
		if n < h.Size {
			return fmt.Errorf("connection closed after %d of %d bytes", n, h.Size)
		}
		// The server closes right after the file: anything more means
		// it and we disagree about the size.
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
	})
	return name, h.Size, err
}

// parseHeader checks the stream protocol's header line: a JSON object with
// a file name, a size from 0 up, and a sha256 in hex. It does not judge the
// name; safeName does.
func parseHeader(line []byte) (header, error) {
	var raw struct {
		Filename *string `json:"filename"`
		Size     *int64  `json:"size"`
		SHA256   *string `json:"sha256"`
	}
	if err := json.Unmarshal(line, &raw); err != nil {
		return header{}, fmt.Errorf("bad header line %q: %w", abbrev(line), err)
	}
	switch {
	case raw.Filename == nil || raw.Size == nil || raw.SHA256 == nil:
		return header{}, fmt.Errorf("bad header line %q: "+
			"want filename, size and sha256", abbrev(line))
	case *raw.Size < 0:
		return header{}, fmt.Errorf("bad header line: size %d", *raw.Size)
	case !isSHA256(*raw.SHA256):
		return header{}, fmt.Errorf("bad header line: sha256 %q is not "+
			"64 hex digits", abbrev([]byte(*raw.SHA256)))
	}
	return header{*raw.Filename, *raw.Size, strings.ToLower(*raw.SHA256)}, nil
}

func isSHA256(s string) bool {
	_, err := hex.DecodeString(s)
	return len(s) == 2*sha256.Size && err == nil
}

// safeName returns name if it is safe to use as a file name in the output
// folder, and an error otherwise. It refuses rather than repairs: a server
// that sends "../x" is broken or hostile, and saving its file under
// another name would hide that.
func safeName(name string) (string, error) {
	unsafe := func(why string) error {
		return fmt.Errorf("server sent an unsafe file name %q (%s)", name, why)
	}
	switch {
	case name == "":
		return "", unsafe("empty")
	case name == "." || name == "..":
		return "", unsafe("a folder, not a file")
	case len(name) > 255:
		return "", unsafe("longer than 255 bytes")
	case !utf8.ValidString(name):
		return "", unsafe("not UTF-8")
	case strings.ContainsAny(name, `/\`):
		return "", unsafe("it holds a path separator")
	case strings.ContainsFunc(name, notGraphic):
		return "", unsafe("it holds a control or invisible character")
	case strings.Contains(name, ":"):
		return "", unsafe("a colon names a drive or stream on Windows")
	case strings.HasPrefix(name, "."):
		return "", unsafe("a hidden file, such as .bashrc")
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return "", unsafe("Windows drops a final dot or space")
	case filepath.IsAbs(name) || !filepath.IsLocal(name):
		return "", unsafe("not a plain name on this system")
	}
	return name, nil
}

// saveAtomic creates a temporary file in root, lets write fill it, and
// renames it to name only if everything succeeded. A rename within one
// folder is atomic: name holds the old file or the whole new one, never
// part of it. On failure the temporary file is removed.
func saveAtomic(root *os.Root, name string, write func(io.Writer) error) error {
	tmp := ".download-" + rand.Text() + ".part"
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create a temporary file: %w", err)
	}
	err = write(f)
	if err == nil {
		err = f.Sync() // on disk before the rename makes it visible
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err == nil {
		if err = root.Rename(tmp, name); err != nil {
			err = fmt.Errorf("save as %q: %w", name, err)
		}
	}
	if err != nil {
		_ = root.Remove(tmp) // best effort: the error that matters is err
		return err
	}
	return nil
}

// notGraphic reports the characters that are not visible text: control
// characters, and format characters such as U+202E, which makes
// "a\u202Egnp.exe" show as "aexe.png".
func notGraphic(r rune) bool { return !unicode.IsGraphic(r) }

// countingReader counts the bytes read through it, for error messages.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// deadlineReader gives every read its own deadline: a server that keeps
// sending, however slowly, is waited for; one that stops for timeout is
// given up on.
type deadlineReader struct {
	conn    net.Conn
	timeout time.Duration
}

func (r deadlineReader) Read(p []byte) (int, error) {
	if err := r.conn.SetReadDeadline(time.Now().Add(r.timeout)); err != nil {
		return 0, err
	}
	return r.conn.Read(p)
}

// byteSize is a flag that takes a number of bytes, alone or followed by
// KiB, MiB or GiB.
type byteSize int64

var units = []struct {
	suffix string
	size   int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

func (s *byteSize) Set(text string) error {
	text = strings.TrimSpace(text)
	mult := int64(1)
	for _, u := range units {
		if num, ok := strings.CutSuffix(text, u.suffix); ok {
			text, mult = strings.TrimSpace(num), u.size
			break
		}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return errors.New("want a size such as 1048576, 512KiB or 64MiB")
	}
	*s = byteSize(n * mult)
	return nil
}

func (s byteSize) String() string {
	for _, u := range units {
		if int64(s) >= u.size && int64(s)%u.size == 0 {
			return fmt.Sprintf("%d %s", int64(s)/u.size, u.suffix)
		}
	}
	return fmt.Sprintf("%d B", int64(s))
}

// abbrev shortens what the network sent for an error message.
func abbrev(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if len(b) > 80 {
		return append(b[:80:80], "..."...)
	}
	return b
}
