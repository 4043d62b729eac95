package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"netprog/internal/loopback"
)

// busyLine is what the server answers when every slot is taken, as its
// tests pin it.
const busyLine = `{"error":"busy","message":"100 of 100 slots taken"}` + "\n"

// timeLine is what the time server of chapter 01 sends.
const timeLine = "2026-11-26 04:00:00.000000\r\n"

// whiteSpace is 1 MiB of what JSON allows before a value: a peer may send
// it for as long as it likes, and the client must not read it all.
var whiteSpace = strings.Repeat(" \t\r\n", 1<<18)

// printable checks that an error message is safe to print: no control
// or invisible characters (a terminal escape starts with one).
func printable(tb testing.TB, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.ContainsFunc(msg, func(r rune) bool { return !unicode.IsGraphic(r) }) {
		tb.Errorf("error %q holds a control or invisible character", msg)
	}
}

// badReply is an answer the client must refuse, with the error it must
// give.
type badReply struct {
	name  string
	proto string
	reply string
	flags []string
	want  string
	is    error // if not nil, the error must wrap it
}

// badReplies are the answers of a broken, hostile or busy server, and of
// peers that are not file servers.
func badReplies() []badReply {
	data := randomBytes(3<<19, 2) // 1.5 MiB: more than -max-size 1MiB below
	whole := streamReply("photo.png", data)
	headerLen := bytes.IndexByte(whole, '\n') + 1
	wrongSum := streamReply("photo.png", data)
	copy(wrongSum[headerLen:], "tampered")
	sum := strings.Repeat("0", 64)

	return []badReply{
		{"truncated JSON", "json", string(jsonReply("photo.png", data)[:1<<20]), nil,
			"connection closed after 1048576 bytes, before the JSON object was complete", nil},
		{"nothing at all", "json", "", nil, "connection closed after 0 bytes", nil},
		{"invalid base64", "json", `{"filename":"photo.png","filedata":"!!!!"}`, nil,
			"filedata is not valid base64", nil},
		{"invalid JSON", "json", `{"filename":"photo.png",}`, nil,
			"server sent invalid JSON", nil},
		{"something that is not JSON", "json", "hello\r\n", nil,
			`is not a file server (is -addr right?): it sent "hello\r\n"`, errNotFileServer},
		{"the time server's line", "json", timeLine, nil,
			`it sent "2026-11-26 04:00:00.000000\r\n"`, errNotFileServer},
		{"JSON without filedata", "json", `{"filename":"photo.png"}`, nil,
			`server sent no "filedata"`, nil},
		{"a second JSON object", "json", string(jsonReply("photo.png", data)) + "{}", nil,
			"server sent more after the JSON object", nil},
		{"text after the JSON object", "json", string(jsonReply("photo.png", data)) + "junk", nil,
			"server sent more after the JSON object", nil},
		{"JSON larger than -max-size", "json", string(jsonReply("photo.png", data)),
			[]string{"-max-size", "1MiB"}, "file is larger than -max-size 1 MiB", nil},
		{"a stream-mode reply", "json", string(whole), nil,
			"is it speaking -proto stream?", nil},
		{"a busy answer", "json", busyLine, nil, `server busy ("100 of 100 slots taken"): try again in a few seconds`, errBusy},
		{"endless white space", "json", whiteSpace, nil,
			"it sent 4096 bytes of white space and no JSON", errNotFileServer},
		{"another refusal", "json", `{"error":"closed"}`, nil,
			`server refused: "closed"`, errRefused},

		{"a truncated stream", "stream", string(whole[:headerLen+1<<20]), nil,
			"connection closed after 1048576 of 1572864 bytes", nil},
		{"a wrong checksum", "stream", string(wrongSum), nil, "checksum mismatch", nil},
		{"more bytes than announced", "stream", string(whole) + "x", nil,
			"server sent more after the 1572864 bytes it announced", nil},
		{"a header line longer than 4096 bytes", "stream",
			`{"filename":"` + strings.Repeat("a", 5000), nil,
			"header line is longer than 4096 bytes", nil},
		{"a header without sha256", "stream", `{"filename":"photo.png","size":1}` + "\nx",
			nil, "want filename, size and sha256", nil},
		{"a negative size", "stream", `{"filename":"photo.png","size":-1,"sha256":"` +
			sum + `"}` + "\n", nil, "bad header line: size -1", nil},
		{"a size over -max-size", "stream", string(whole), []string{"-max-size", "1MiB"},
			"file is larger than -max-size 1 MiB (the server announced 1572864 bytes)", nil},
		{"a json-mode reply", "stream", string(jsonReply("photo.png", []byte("hi"))), nil,
			"is the server speaking -proto json?", nil},
		{"the time server's line", "stream", timeLine, nil,
			`it sent "2026-11-26 04:00:00.000000\r\n"`, errNotFileServer},
		{"a busy answer", "stream", busyLine, nil, `server busy ("100 of 100 slots taken"): try again in a few seconds`, errBusy},
		{"endless white space", "stream", whiteSpace, nil,
			"it sent 4096 bytes of white space and no JSON", errNotFileServer},
	}
}

func TestClientRejectsBadReplies(t *testing.T) {
	for _, tc := range badReplies() {
		t.Run(tc.proto+" mode rejects "+tc.name, func(t *testing.T) {
			addr := loopback.Serve(t, sends([]byte(tc.reply)))
			dir := outFolder(t)
			before := folder(t, dir)
			flags := append([]string{"-proto", tc.proto}, tc.flags...)
			out, err := receive(t, addr, dir, flags...)
			switch {
			case err == nil:
				t.Errorf("the client accepted the reply, want an error saying %q", tc.want)
			case !strings.Contains(err.Error(), tc.want):
				t.Errorf("the client's error does not say %q; it says %q", tc.want, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("got error %q, want %v", fmt.Sprint(err), tc.is)
			}
			printable(t, err)
			if err != nil && strings.Contains(err.Error(), "%!") {
				t.Errorf("error %q holds a fmt mistake", err.Error())
			}
			if out != "" {
				t.Errorf("printed %q, want nothing", out)
			}
			if after := folder(t, dir); !maps.Equal(after, before) {
				t.Errorf("the folder changed: %v, want it as it was",
					describe(after))
			}
		})
	}
}

func TestClientEscapesWhatTheServerSends(t *testing.T) {
	// What a hostile server could send to clear the screen and print a
	// fake line of success.
	const fake = "\x1b[2J\x1b[1;32msaved photo.png\x1b[0m\r"
	const escaped = `\x1b[2J\x1b[1;32msaved photo.png\x1b[0m\r`
	field := func(v string) string { // v as a JSON string
		b, _ := json.Marshal(v) // a string always marshals
		return string(b)
	}
	tests := []struct {
		name, proto, reply string
	}{
		{"a file name", "json", string(jsonReply(fake, []byte("x")))},
		{"a file name", "stream", string(streamReply(fake, []byte("x")))},
		{"a busy message", "json", `{"error":"busy","message":` + field(fake) + `}`},
		{"a busy message", "stream", `{"error":"busy","message":` + field(fake) + "}\n"},
		{"an error code", "json", `{"error":` + field(fake) + `}`},
		{"a sha256", "stream", `{"filename":"a.png","size":1,"sha256":` + field(fake) + "}\n"},
		{"a header line", "stream", `{"filename":"` + fake + `"}` + "\n"},
		{"an answer that is not JSON", "json", fake + "\n"},
		{"an answer that is not JSON", "stream", fake + "\n"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s mode escapes %s", tc.proto, tc.name), func(t *testing.T) {
			addr := loopback.Serve(t, sends([]byte(tc.reply)))
			_, err := receive(t, addr, t.TempDir(), "-proto", tc.proto)
			if err == nil {
				t.Fatal("got no error, want one")
			}
			printable(t, err)
			if !strings.Contains(err.Error(), escaped) {
				t.Errorf("got error %q, want it to show %q escaped", err.Error(), fake)
			}
		})
	}
}

// hostileNames are file names a server must not be able to make the
// client use: they lead out of the folder, hide, or cannot be a file name
// on some system.
var hostileNames = []string{
	"", ".", "..", "../x", "../../etc/passwd", "/etc/passwd", "a/b",
	`..\x`, `C:\Windows\x`, "C:x", "a:b", "a\x00b", "\x1b[31mred", "photo.png/",
	strings.Repeat("a", 201), ".bashrc", "a\u202egnp.exe", "photo.png.",
	"photo.png ", "CON", "nul", "AUX.png", "com1.txt", "LPT9", "a<b.png",
	"a>b.png", "a?.png", "a*.png", "a|b.png", `a"b.png`,
	"\u3164", "\u1160.png", "a\u3000b.png",
}

func TestClientRejectsHostileNames(t *testing.T) {
	for _, proto := range []string{"json", "stream"} {
		for _, name := range hostileNames {
			t.Run(fmt.Sprintf("%s mode refuses %q", proto, name), func(t *testing.T) {
				reply := jsonReply(name, []byte("pwned"))
				if proto == "stream" {
					reply = streamReply(name, []byte("pwned"))
				}
				addr := loopback.Serve(t, sends(reply))
				// The output folder is one level down, so that an
				// escape to its parent would be seen.
				parent := t.TempDir()
				dir := filepath.Join(parent, "out")
				_, err := receive(t, addr, dir, "-proto", proto)
				if !errors.Is(err, errUnsafeName) {
					t.Errorf("got %q, want an unsafe name", fmt.Sprint(err))
				}
				var pathErr *fs.PathError
				if errors.As(err, &pathErr) {
					t.Errorf("got %q, want the client's refusal, not the system's",
						err.Error())
				}
				printable(t, err)
				// The error shows the name in Go's quoted form.
				if shown := fmt.Sprintf("%.200q", name); err != nil &&
					!strings.Contains(err.Error(), shown) {
					t.Errorf("got %q, want the name shown as %s", err.Error(), shown)
				}
				if files := folder(t, dir); len(files) != 0 {
					t.Errorf("the folder holds %v, want it empty", describe(files))
				}
				if files := folder(t, parent); len(files) != 1 {
					t.Errorf("the parent holds %v, want out alone", describe(files))
				}
			})
		}
	}
}

func FuzzSafeName(f *testing.F) {
	for _, name := range hostileNames {
		f.Add(name)
	}
	f.Add("photo.png")
	f.Add("照片.txt")
	f.Add("CONSOLE.txt")
	f.Fuzz(func(t *testing.T, name string) {
		if safeName(name) != nil {
			return
		}
		// An accepted name names a file directly inside the folder,
		// and any system can hold it as it is.
		switch {
		case name == "" || len(name) > 200:
			t.Errorf("safeName accepted %q, of %d bytes", name, len(name))
		case strings.ContainsAny(name, "/\\:<>\"|?*\x00"):
			t.Errorf("safeName accepted %q, which holds a separator or "+
				"a character Windows refuses", name)
		case strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsGraphic(r) }):
			t.Errorf("safeName accepted %q, which holds an invisible character", name)
		case strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") ||
			strings.HasSuffix(name, " "):
			t.Errorf("safeName accepted %q, a hidden name or one Windows would change", name)
		case reservedOnWindows(name):
			t.Errorf("safeName accepted %q, a name Windows keeps for a device", name)
		case filepath.Base(name) != name || !filepath.IsLocal(name):
			t.Errorf("safeName accepted %q, which is not a plain local name", name)
		}
	})
}

func FuzzParseHeader(f *testing.F) {
	sum := strings.Repeat("ab", 32)
	f.Add([]byte(`{"filename":"a.png","size":3,"sha256":"` + sum + `"}` + "\n"))
	f.Add([]byte(`{"filename":"a.png","size":0,"sha256":"` + sum + `"}`))
	f.Add([]byte(`{"filename":"a.png","size":-1,"sha256":""}`))
	f.Add([]byte(`{"filename":1}`))
	f.Add([]byte(`{"size":1e99}`))
	f.Add([]byte(busyLine))
	f.Add([]byte("null"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, line []byte) {
		h, err := parseHeader(line)
		if err != nil {
			printable(t, err)
			return
		}
		if h.Size < 0 {
			t.Errorf("parseHeader(%q) accepted size %d", line, h.Size)
		}
		if b, err := hex.DecodeString(h.SHA256); err != nil || len(b) != sha256.Size ||
			h.SHA256 != strings.ToLower(h.SHA256) {
			t.Errorf("parseHeader(%q) accepted sha256 %q", line, h.SHA256)
		}
		// What it accepted survives a round trip through JSON.
		again, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		if h2, err := parseHeader(again); err != nil || h2 != h {
			t.Errorf("round trip of %q: got %+v, %v; want %+v", line, h2, err, h)
		}
	})
}

// FuzzReceive feeds both protocols' receivers any answer at all: whatever
// it is, the error is safe to print, and the folder holds either nothing
// or one complete file, never a temporary one.
func FuzzReceive(f *testing.F) {
	f.Add([]byte(jsonReply("a.png", []byte("hi"))))
	f.Add([]byte(streamReply("a.png", []byte("hi"))))
	f.Add([]byte(busyLine))
	f.Add([]byte(timeLine))
	f.Add([]byte(`{"filename":"CON","filedata":""}`))
	f.Add([]byte("{}{}"))
	f.Fuzz(func(t *testing.T, reply []byte) {
		for _, receive := range []func(*deadlineReader, *os.Root, config) (saved, error){
			receiveJSON, receiveStream,
		} {
			dir := t.TempDir()
			root, err := os.OpenRoot(dir)
			if err != nil {
				t.Fatal(err)
			}
			client, server := net.Pipe()
			go func() {
				_, _ = server.Write(reply) // fails if the client hangs up first
				_ = server.Close()         // a pipe's Close does not fail
			}()
			in := &deadlineReader{conn: tcpLike{client}, timeout: time.Minute}
			got, err := receive(in, root, config{addr: "127.0.0.1:5566", maxSize: 1 << 20})
			_ = client.Close()
			_ = root.Close() // opened for reading names: nothing to lose
			printable(t, err)
			files := folder(t, dir)
			switch {
			case err != nil && len(files) != 0:
				t.Errorf("after %q, got %v, want an empty folder", err.Error(),
					describe(files))
			case err == nil && (len(files) != 1 ||
				int64(len(files[got.name])) != got.size):
				t.Errorf("got %v, want %q alone, of %d bytes", describe(files),
					got.name, got.size)
			}
		}
	})
}
