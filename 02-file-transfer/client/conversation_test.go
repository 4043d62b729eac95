package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"unicode/utf8"

	"netprog/internal/loopback"
)

// receiveVerbose runs the client against addr with -out dir and flags,
// and returns what it printed on stdout and on stderr, and its error.
func receiveVerbose(tb testing.TB, addr, dir string, flags ...string) (
	stdout, stderr string, err error) {
	tb.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"-addr", addr, "-out", dir}, flags...)
	err = run(context.Background(), args, nil, &out, &errOut)
	return out.String(), errOut.String(), err
}

// wantLines checks that got holds each of want, in this order. A want
// that starts or ends with a line end matches the start or the end of a
// line.
func wantLines(tb testing.TB, got string, want ...string) {
	tb.Helper()
	rest := "\n" + got
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			tb.Errorf("got %q, want %q in it, after the lines before", got, w)
			return
		}
		// The next want may start with the line end this one ends with.
		rest = rest[i+len(strings.TrimSuffix(w, "\n")):]
	}
}

func TestClientShowsTheConversation(t *testing.T) {
	data := randomBytes(1<<20+1, 7) // 1,398,104 bytes of base64
	stream := streamReply("photo.png", data)
	header, _, _ := bytes.Cut(stream, []byte("\n"))
	tests := []struct {
		name, proto string
		reply       []byte
		want        []string
	}{
		{"json mode shows the object, its base64 as a size", "json",
			jsonReply("photo.png", data), []string{
				"\nS: {\"filedata\":<1,398,104 bytes of base64>,\"filename\":\"photo.png\"}\n",
				"\n* the server closed the connection after 1,398,142 bytes\n"}},
		{"stream mode shows the header line, then the file as a size", "stream",
			stream, []string{"\nS: " + string(header) + "\n",
				"\nS: <1,048,577 bytes of file>\n",
				"\n* the server closed the connection after 1,048,693 bytes\n"}},
		{"json mode shows Python's spacing as it is", "json",
			[]byte(`{"filename": "a.txt", "filedata": "aGkh"}`), []string{
				"\nS: {\"filename\": \"a.txt\", \"filedata\": <4 bytes of base64>}\n",
				"\n* the server closed the connection after 41 bytes\n"}},
		{"json mode shows a message cut short, and who closed", "json",
			jsonReply("photo.png", data)[:1000], []string{
				"\nS: {\"filedata\":<987 bytes of base64>\n",
				"\n* the server closed the connection after 1,000 bytes\n"}},
		{"json mode shows what follows the object", "json",
			[]byte(`{"filename":"a.txt","filedata":"aGkh"}{}`), []string{
				"\nS: {\"filename\":\"a.txt\",\"filedata\":<4 bytes of base64>}\n",
				"\nS: <2 more bytes>\n"}},
		// The client has what it needs before it could read the end
		// of the connection: it hangs up first.
		{"the busy answer is shown in json mode", "json", []byte(busyLine),
			[]string{"\nS: " + strings.TrimSuffix(busyLine, "\n") + "\n",
				"\n* the client closed the connection after 52 bytes\n"}},
		{"the busy answer is shown in stream mode", "stream", []byte(busyLine),
			[]string{"\nS: " + strings.TrimSuffix(busyLine, "\n") + "\n",
				"\n* the client closed the connection after 52 bytes\n"}},
		{"a time server's line is shown as it is", "json", []byte(timeLine),
			[]string{"\nS: 2026-11-26 04:00:00.000000\n",
				"\n* the client closed the connection after 28 bytes\n"}},
		{"a long name is shown as its size", "stream",
			streamReply(strings.Repeat("a", 300), []byte("hi!")),
			[]string{"\nS: {\"filename\":<300 bytes>,\"size\":3,\"sha256\":\""}},
		{"a file too large is where the client hangs up", "stream", stream,
			[]string{"\nS: " + string(header) + "\n",
				"\n* the client closed the connection after "}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := loopback.Serve(t, sends(tc.reply))
			flags := []string{"-proto", tc.proto, "-v"}
			if strings.HasPrefix(tc.name, "a file too large") {
				flags = append(flags, "-max-size", "1MiB")
			}
			_, log, _ := receiveVerbose(t, addr, t.TempDir(), flags...)
			want := append([]string{"* connected to " + addr + " from 127.0.0.1:"},
				tc.want...)
			wantLines(t, log, want...)
		})
	}
}

func TestClientShowsTheConversationWithTheServer(t *testing.T) {
	// The real server, built and run, with a file hi.txt holding "hi!".
	path := filepath.Join(t.TempDir(), "hi.txt")
	if err := os.WriteFile(path, []byte("hi!"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"json": {"\nS: {\"filename\":\"hi.txt\",\"filedata\":<4 bytes of base64>}\n",
			"\n* the server closed the connection after 39 bytes\n"},
		"stream": {"\nS: {\"filename\":\"hi.txt\",\"size\":3,\"sha256\":" +
			"\"c0ddd62c7717180e7ffb8a15bb9674d3ec92592e0b7ac7d1d5289836b4553be2\"}\n",
			"\nS: <3 bytes of file>\n",
			"\n* the server closed the connection after 110 bytes\n"},
	}
	for proto, lines := range want {
		t.Run(proto+" mode", func(t *testing.T) {
			server := loopback.BuildAndRun(t, "../server",
				[]string{"-addr", "127.0.0.1:0", "-proto", proto, "-file", path})
			out, log, err := receiveVerbose(t, server.Addr, t.TempDir(),
				"-proto", proto, "-v")
			if err != nil {
				t.Fatal(err)
			}
			wantLines(t, log, append([]string{"* connected to " + server.Addr}, lines...)...)
			if !strings.HasPrefix(out, "saved ") {
				t.Errorf("printed %q, want the saved line as without -v", out)
			}
		})
	}
}

func TestClientShowsWhoGaveUp(t *testing.T) {
	for _, proto := range []string{"json", "stream"} {
		t.Run(proto+" mode: the client closed, after what came", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				reply := jsonReply("photo.png", randomBytes(1<<20, 3))
				if proto == "stream" {
					reply = streamReply("photo.png", randomBytes(1<<20, 3))
				}
				var log bytes.Buffer
				_, _ = fetchFromPipe(t, context.Background(), outFolder(t),
					hangs(reply[:1000]), func(c *config) {
						c.proto = proto
						c.wire = newWire(&log, true)
					})
				wantLines(t, log.String(), "* connected to 127.0.0.1:1 from ",
					"\n* the client closed the connection after 1,000 bytes\n")
			})
		})
	}
}

func TestClientQuotesTheWire(t *testing.T) {
	tests := []struct{ name, proto, reply, want string }{
		{"-v quotes an escape character in a header", "stream",
			"{\"filename\":\"\x1b[2J.png\",\"size\":3}\nhi!",
			`S: "{\"filename\":\"\x1b[2J.png\",\"size\":3}"` + "\n"},
		{"-v quotes an escape character in a json message", "json",
			"{\"filename\":\"\x1b]0;owned\x07.png\",\"filedata\":\"aGkh\"}",
			`S: "{\"filename\":\"\x1b]0;owned\a.png\",\"filedata\":<4 bytes of base64>}"` +
				"\n"},
		{"-v quotes an escape sequence from a peer that is not a file server", "json",
			"\x1b[2Jgotcha\r\n", `S: "\x1b[2Jgotcha"` + "\n"},
		{"-v quotes a carriage return inside a line", "json", "12:00\rfake\r\n",
			`S: "12:00\rfake"` + "\n"},
		{"-v quotes a line that starts with a quote mark", "json", `"hi"`,
			`S: "\"hi\""` + "\n"},
		{"-v quotes a byte that is not UTF-8", "stream", "{\"filename\":\"\x9b.png\"}\n",
			`S: "{\"filename\":\"\x9b.png\"}"` + "\n"},
		{"-v never shows the file's bytes", "stream",
			string(streamReply("a.txt", []byte("\x1b[2J\x9b"))), "S: <5 bytes of file>\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := loopback.Serve(t, sends([]byte(tc.reply)))
			_, log, _ := receiveVerbose(t, addr, t.TempDir(), "-proto", tc.proto, "-v")
			wantLines(t, log, "\n"+tc.want)
			for _, c := range []string{"\x1b", "\x9b", "\r", "\x07"} {
				if strings.Contains(log, c) {
					t.Errorf("got %q, want no %q printed as it is", log, c)
				}
			}
		})
	}
}

func TestClientNeverShowsTheFile(t *testing.T) {
	// Files that are all text, which -v could print as they are: it must
	// show their size, never the file, neither as it is nor in base64,
	// however short.
	for _, n := range []int{2, 100} {
		data := bytes.Repeat([]byte("the file itself "), n)
		b64 := base64.StdEncoding.EncodeToString(data)
		for proto, reply := range map[string][]byte{
			"json":   jsonReply("a.txt", data),
			"stream": streamReply("a.txt", data),
		} {
			name := fmt.Sprintf("%s mode shows %d bytes as their size", proto, len(data))
			t.Run(name, func(t *testing.T) {
				addr := loopback.Serve(t, sends(reply))
				_, log, err := receiveVerbose(t, addr, t.TempDir(),
					"-proto", proto, "-v")
				if err != nil {
					t.Fatal(err)
				}
				for _, part := range []string{"the file itself", b64[:16]} {
					if strings.Contains(log, part) {
						t.Errorf("got %q, want no %q in it", log, part)
					}
				}
			})
		}
	}
}

func TestClientIsQuietWithoutV(t *testing.T) {
	replies := map[string][]byte{
		"json":                jsonReply("photo.png", []byte("hi!")),
		"stream":              streamReply("photo.png", []byte("hi!")),
		"json, told busy":     []byte(busyLine),
		"stream, told busy":   []byte(busyLine),
		"json, a time server": []byte(timeLine),
	}
	for name, reply := range replies {
		t.Run(name+": nothing on stderr", func(t *testing.T) {
			proto, _, _ := strings.Cut(name, ",")
			addr := loopback.Serve(t, sends(reply))
			_, log, _ := receiveVerbose(t, addr, t.TempDir(), "-proto", proto)
			if log != "" {
				t.Errorf("got stderr %q, want nothing", log)
			}
		})
	}
}

func TestWireViewCutsALongHeader(t *testing.T) {
	// 5,002 bytes of JSON that never ends: a header of 4,096 bytes is
	// shown (as any line, cut at 200), and the rest counted.
	answer := "[" + strings.Repeat(`"ab",`, 1000) + "]"
	var out bytes.Buffer
	r, v := showing(newWire(&out, true), strings.NewReader(answer), "stream")
	if _, err := io.Copy(io.Discard, r); err != nil {
		t.Fatal(err)
	}
	v.end()
	want := "S: " + answer[:maxShown] + "... (3896 more bytes)\n" +
		"S: <906 bytes of file>\n" +
		"* the server closed the connection after 5,002 bytes\n"
	if out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

// FuzzWireView feeds what -v shows any answer at all, whole and a byte
// at a time: what it prints must be the same, and safe to print.
func FuzzWireView(f *testing.F) {
	for _, seed := range []string{string(jsonReply("a.png", []byte("hi!"))),
		string(streamReply("a.png", []byte("hi!"))), busyLine, timeLine,
		`{"filename": "a", "filedata": "\"x\\"}`, `{"a":[{"b":"c"}]}]]`,
		"{\"filedata\":\"" + strings.Repeat("A", 5000), "\"\\", "}{",
		"[" + strings.Repeat(`"ab",`, 1000) + "]\nrest"} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	f.Fuzz(func(t *testing.T, answer []byte, stream bool) {
		proto := "json"
		if stream {
			proto = "stream"
		}
		view := func(r io.Reader) string {
			var out bytes.Buffer
			r, v := showing(newWire(&out, true), r, proto)
			_, _ = io.Copy(io.Discard, r)
			v.end()
			return out.String()
		}
		whole := view(bytes.NewReader(answer))
		bytewise := view(iotest.OneByteReader(bytes.NewReader(answer)))
		if bytewise != whole {
			t.Fatalf("read whole, shown as %q; a byte at a time, as %q", whole, bytewise)
		}
		for _, line := range strings.Split(strings.TrimSuffix(whole, "\n"), "\n") {
			if !strings.HasPrefix(line, "S: ") && !strings.HasPrefix(line, "* ") {
				t.Errorf("line %q is not an S: line or a note", line)
			}
			if !utf8.ValidString(line) || strings.ContainsFunc(line,
				func(r rune) bool { return !strconv.IsPrint(r) }) {
				t.Errorf("line %q is not safe to print", line)
			}
			if len(line) > 4*maxShown+50 {
				t.Errorf("line %q is %d bytes long", line, len(line))
			}
		}
	})
}
