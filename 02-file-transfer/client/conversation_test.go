package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
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
	data := randomBytes(1<<20+1, 7) // 1398104 bytes of base64
	tests := []struct {
		name, proto string
		reply       []byte
		want        []string
	}{
		{"json mode shows the message as its size", "json",
			jsonReply("photo.png", data), []string{"\nS: <1398142 bytes hidden>\n",
				"\n* the server closed the connection (C: 0 bytes, S: 1398142 bytes)\n"}},
		{"stream mode shows the header and the file as their size", "stream",
			streamReply("photo.png", data), []string{"\nS: <1048693 bytes hidden>\n",
				"\n* the server closed the connection (C: 0 bytes, S: 1048693 bytes)\n"}},
		{"json mode counts Python's spacing", "json",
			[]byte(`{"filename": "a.txt", "filedata": "aGkh"}`), []string{
				"\nS: <41 bytes hidden>\n",
				"\n* the server closed the connection (C: 0 bytes, S: 41 bytes)\n"}},
		{"json mode shows a message cut short as its size, and who closed", "json",
			jsonReply("photo.png", data)[:1000], []string{"\nS: <1000 bytes hidden>\n",
				"\n* the server closed the connection (C: 0 bytes, S: 1000 bytes)\n"}},
		{"json mode hides what follows the object too", "json",
			[]byte(`{"filename":"a.txt","filedata":"aGkh"}{}`),
			[]string{"\nS: <40 bytes hidden>\n"}},
		// The client has what it needs before it could read the end
		// of the connection: it hangs up first.
		{"the busy answer is shown in json mode", "json", []byte(busyLine),
			[]string{fmt.Sprintf("\nS: %q\n", busyLine),
				"\n* the client closed the connection (C: 0 bytes, S: 52 bytes)\n"}},
		{"the busy answer is shown in stream mode", "stream", []byte(busyLine),
			[]string{fmt.Sprintf("\nS: %q\n", busyLine),
				"\n* the client closed the connection (C: 0 bytes, S: 52 bytes)\n"}},
		{"a time server's line is shown as it is", "json", []byte(timeLine),
			[]string{fmt.Sprintf("\nS: %q\n", timeLine),
				"\n* the client closed the connection (C: 0 bytes, S: 28 bytes)\n"}},
		{"a long answer is cut at 200 characters", "stream",
			[]byte(strings.Repeat("a", 300)),
			[]string{"\nS: \"" + strings.Repeat("a", 200) + "\" ("}},
		{"a file too large is where the client hangs up", "stream",
			streamReply("photo.png", data), []string{"\nS: <",
				" bytes hidden>\n* the client closed the connection (C: 0 bytes, S: "}},
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
	for proto, size := range map[string]int{"json": 39, "stream": 110} {
		t.Run(proto+" mode", func(t *testing.T) {
			server := loopback.BuildAndRun(t, "../server",
				[]string{"-addr", "127.0.0.1:0", "-proto", proto, "-file", path})
			out, log, err := receiveVerbose(t, server.Addr, t.TempDir(),
				"-proto", proto, "-v")
			if err != nil {
				t.Fatal(err)
			}
			wantLines(t, log, "* connected to "+server.Addr,
				fmt.Sprintf("\nS: <%d bytes hidden>\n", size),
				fmt.Sprintf("\n* the server closed the connection (C: 0 bytes, "+
					"S: %d bytes)\n", size))
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
				var buf bytes.Buffer
				_, _ = fetchFromPipe(t, context.Background(),
					hangs(reply[:1000]), func(c *config) {
						c.proto = proto
						c.dial = tapDial(c.dial, log.New(&buf, "", 0))
					})
				wantLines(t, buf.String(), "* connected to 127.0.0.1:1 from ",
					"\nS: <1000 bytes hidden>\n",
					"\n* the client closed the connection (C: 0 bytes, S: 1000 bytes)\n")
			})
		})
	}
}

func TestClientQuotesTheWire(t *testing.T) {
	hidden := func(reply string) string {
		return fmt.Sprintf("S: <%d bytes hidden>\n", len(reply))
	}
	header := "{\"filename\":\"\x1b[2J.png\",\"size\":3}\nhi!"
	message := "{\"filename\":\"\x1b]0;owned\x07.png\",\"filedata\":\"aGkh\"}"
	file := string(streamReply("a.txt", []byte("\x1b[2J\x9b")))
	tests := []struct{ name, proto, reply, want string }{
		{"-v quotes an escape sequence from a peer that is not a file server", "json",
			"\x1b[2Jgotcha\r\n", `S: "\x1b[2Jgotcha\r\n"` + "\n"},
		{"-v quotes a carriage return inside a line", "json", "12:00\rfake\r\n",
			`S: "12:00\rfake\r\n"` + "\n"},
		{"-v quotes a line that starts with a quote mark", "json", `"hi"`,
			`S: "\"hi\""` + "\n"},
		{"-v quotes a byte that is not UTF-8", "stream", "\x9b{\"filename\":\"a.png\"}\n",
			`S: "\x9b{\"filename\":\"a.png\"}\n"` + "\n"},
		{"-v hides a header with an escape character", "stream", header,
			hidden(header)},
		{"-v hides a json message with an escape character", "json", message,
			hidden(message)},
		{"-v never shows the file's bytes", "stream", file, hidden(file)},
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

// FuzzVerbose runs the client with -v against a server that sends any
// answer at all: every line -v prints is safe to print, bounded, and
// marked as -v's lines are.
func FuzzVerbose(f *testing.F) {
	for _, seed := range []string{string(jsonReply("a.png", []byte("hi!"))),
		string(streamReply("a.png", []byte("hi!"))), busyLine, timeLine,
		`{"filename": "a", "filedata": "\"x\\"}`, `{"a":[{"b":"c"}]}]]`,
		"{\"filedata\":\"" + strings.Repeat("A", 5000), "\"\\", "}{",
		"[" + strings.Repeat(`"ab",`, 1000) + "]\nrest", "\x1b[2J\x9b\u202e"} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	line := regexp.MustCompile(`^(S: |\* )`)
	f.Fuzz(func(t *testing.T, answer []byte, stream bool) {
		proto := "json"
		if stream {
			proto = "stream"
		}
		addr := loopback.Serve(t, sends(answer))
		_, log, _ := receiveVerbose(t, addr, t.TempDir(), "-proto", proto, "-v")
		for _, l := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
			if !line.MatchString(l) {
				t.Errorf("line %q is not an S: line or a note", l)
			}
			if !utf8.ValidString(l) || strings.ContainsFunc(l,
				func(r rune) bool { return !strconv.IsPrint(r) }) {
				t.Errorf("line %q is not safe to print", l)
			}
			if len(l) > 4*200+50 {
				t.Errorf("line %q is %d bytes long", l, len(l))
			}
		}
	})
}
