package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"netprog/internal/loopback"
)

// wantLines checks that got holds each of want, in this order. A want
// that starts or ends with a line end matches the start or the end of a
// line.
func wantLines(tb testing.TB, got string, want ...string) {
	tb.Helper()
	rest := "\n" + got
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			tb.Errorf("want %q in the log, after the lines before; got:\n%s", w, got)
			return
		}
		// The next want may start with the line end this one ends with.
		rest = rest[i+len(strings.TrimSuffix(w, "\n")):]
	}
}

// dialServer connects to addr and gives the whole exchange a deadline:
// the server is well-behaved, so it gets seconds. The caller closes the
// connection.
func dialServer(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		_ = conn.Close() // the deadline's error is the one to report
		t.Fatal(err)
	}
	return conn
}

// fetchFrom connects to addr, reads everything the server sends, and
// returns it and the client's address.
func fetchFrom(t *testing.T, addr string) (reply []byte, peer string) {
	t.Helper()
	conn := dialServer(t, addr)
	defer conn.Close()
	reply, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	return reply, conn.LocalAddr().String()
}

// logLine matches a line of the server's log, which starts with the date
// and time.
var logLine = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d `)

func TestServerShowsTheConversation(t *testing.T) {
	// 1 MiB and one byte: 1398104 bytes of base64.
	path := writeFile(t, "photo.jpg", randomBytes(1<<20+1, 7))
	t.Run("json mode shows the message, its base64 as a size", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
			"-file", path, "-v"}, nil)
		reply, peer := fetchFrom(t, p.Addr)
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
		if len(reply) != 1_398_142 {
			t.Fatalf("got %d bytes, want 1398142", len(reply))
		}
		wantLines(t, p.Stderr(), "\n"+peer+" * connected to "+p.Addr+" from "+peer+"\n",
			"\n"+peer+` S: "{\"filename\":\"photo.jpg\",\"filedata\":\""`+"\n",
			"\n"+peer+" S: <1398104 bytes hidden>\n",
			"\n"+peer+` S: "\"}"`+"\n",
			"\n"+peer+" * the server closed the connection (C: 0 bytes, S: 1398142 bytes)\n",
			" "+peer+": wrote 1398142 bytes in ")
	})

	t.Run("stream mode shows the header, then the file as a size", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
			"-file", path, "-proto", "stream", "-v"}, nil)
		reply, peer := fetchFrom(t, p.Addr)
		if err := p.Stop(); err != nil {
			t.Fatal(err)
		}
		header, _, _ := bytes.Cut(reply, []byte("\n"))
		wantLines(t, p.Stderr(), fmt.Sprintf("\n%s S: %q\n", peer, string(header)+"\n"),
			"\n"+peer+" S: <1048577 bytes hidden>\n",
			"\n"+peer+" * the server closed the connection (C: 0 bytes, S: 1048693 bytes)\n")
	})

	t.Run("a busy server shows its answer, and closes at once",
		testWireShowsBusy)
	t.Run("-v says how much went by when a client is cut off",
		testWireShowsCutOff)
}

// verbose turns -v on for a pipeServer.
func verbose(c *config) { c.verbose = true }

// testWireShowsBusy checks that -v shows the answer a client beyond
// capacity gets, and that the server closes at once.
func testWireShowsBusy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := startPipe(t, 1<<20, func(c *config) {
			c.maxClients = 1
			verbose(c)
		})
		p.dial(t)
		synctest.Wait() // it holds the one slot
		turned := p.dial(t)
		if _, err := io.ReadAll(turned); err != nil {
			t.Fatal(err)
		}
		peer := turned.LocalAddr().String()
		wantLines(t, p.logs.String(), "\n"+peer+
			` S: "{\"error\":\"busy\",\"message\":\"1 of 1 slots taken\"}\n"`+"\n",
			"\n"+peer+" * the server closed the connection (C: 0 bytes, S: 48 bytes)\n")
	})
}

// testWireShowsCutOff checks that -v says how many bytes went by before
// the server cut off a client that stopped reading.
func testWireShowsCutOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := startPipe(t, 1<<20, verbose)
		stuck := p.dial(t)
		// Read the header and 1000 bytes of the file, then nothing.
		br := bufio.NewReaderSize(stuck, 16)
		header, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(br, make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(p.cfg.timeout)
		synctest.Wait()
		peer := stuck.LocalAddr().String()
		wantLines(t, p.logs.String(), fmt.Sprintf("\n%s S: %q\n", peer, header),
			"\n"+peer+" S: <1000 bytes hidden>\n",
			"\n"+peer+" * the server closed the connection (C: 0 bytes, S: 1114 bytes)\n",
			"\n"+peer+": cut off, read nothing for 30s")
	})
}

func TestServerLogsWhatItKnows(t *testing.T) {
	// The writes of a small file succeed as soon as the server's system
	// has taken the bytes, before the client reads them, or refuses them
	// and hangs up: the server can say it wrote them, not that they
	// arrived.
	path := writeFile(t, "photo.jpg", randomBytes(1000, 8))
	t.Run("a client that read one byte: the log says wrote, not sent", func(t *testing.T) {
		p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
			"-file", path, "-proto", "stream"}, nil)
		conn := dialServer(t, p.Addr)
		defer conn.Close()
		if _, err := conn.Read(make([]byte, 1)); err != nil {
			t.Fatal(err)
		}
		if err := p.Stop(); err != nil { // waits for the transfer
			t.Fatal(err)
		}
		peer := conn.LocalAddr().String()
		want := " " + peer + ": wrote 1113 bytes in "
		if !strings.Contains(p.Stderr(), want) {
			t.Errorf("the log does not say %q of a client that read 1 "+
				"byte of 1113 (the server cannot know what the client "+
				"read); the log:\n%s", want, p.Stderr())
		}
	})
}

func TestServerNeverShowsTheFile(t *testing.T) {
	// Files that are all text, which -v could print as they are: it must
	// show their size, never the file, neither as it is nor in base64,
	// however short.
	for _, n := range []int{2, 100} {
		data := bytes.Repeat([]byte("the file itself "), n)
		b64 := base64.StdEncoding.EncodeToString(data)
		path := writeFile(t, "a.txt", data)
		for _, proto := range []string{"json", "stream"} {
			name := fmt.Sprintf("%s mode shows %d bytes as their size", proto, len(data))
			t.Run(name, func(t *testing.T) {
				p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
					"-file", path, "-proto", proto, "-v"}, nil)
				fetchFrom(t, p.Addr)
				if err := p.Stop(); err != nil {
					t.Fatal(err)
				}
				log := p.Stderr()
				if !strings.Contains(log, " S: ") {
					t.Fatalf("got %q, want the conversation", log)
				}
				shown := false
				for _, part := range []string{"the file itself", b64[:16]} {
					if strings.Contains(log, part) {
						t.Errorf("-v showed the file's bytes (%q), want "+
							"only their size (<N bytes hidden>)", part)
						shown = true
					}
				}
				if shown {
					t.Logf("the log:\n%s", log)
				}
			})
		}
	}
}

func TestServerQuotesTheWire(t *testing.T) {
	// The file's name is the server's own, but it came from somewhere. In
	// the header it is JSON, which writes an escape character as \u001b,
	// and -v shows what crosses the wire in Go's quoted form.
	f := &file{name: "a\x1b[2J\".png", size: 3, data: strings.NewReader("hi!")}
	for proto, want := range map[string]string{
		"json": `S: "{\"filename\":\"a\\u001b[2J\\\".png\",\"filedata\":\""` + "\n",
		"stream": `S: "{\"filename\":\"a\\u001b[2J\\\".png\",\"size\":3,\"sha256\":\"` +
			`c0ddd62c7717180e7ffb8a15bb9674d3ec92592e0b7ac7d1d5289836b4553be2\"}\n"` + "\n",
	} {
		t.Run(proto+" mode shows the name as JSON escapes it", func(t *testing.T) {
			msg, err := f.message(proto)
			if err != nil {
				t.Fatal(err)
			}
			var out loopback.Buffer
			client, conn := net.Pipe()
			go func() { _, _ = io.Copy(io.Discard, client) }()
			s := &server{msg: msg, timeout: time.Minute, minRate: 1,
				log: log.New(io.Discard, "", 0)}
			s.send(tapServer(conn, log.New(&out, "", 0)))
			wantLines(t, out.String(), " "+want)
			if strings.Contains(out.String(), "\x1b") {
				t.Errorf("got %q, want no escape printed as it is", out.String())
			}
		})
	}
}

func TestServerIsQuietWithoutV(t *testing.T) {
	for _, proto := range []string{"json", "stream"} {
		t.Run(proto+" mode logs as it did before -v", func(t *testing.T) {
			p := loopback.Start(t, run, []string{"-addr", "127.0.0.1:0",
				"-proto", proto}, nil)
			fetchFrom(t, p.Addr)
			if err := p.Stop(); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(strings.TrimSuffix(p.Stderr(), "\n"), "\n") {
				if !logLine.MatchString(line) {
					t.Errorf("got line %q, want only the log's lines", line)
				}
			}
		})
	}

	t.Run("the busy answer is not shown", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			p := startPipe(t, 1<<20, func(c *config) { c.maxClients = 1 })
			p.dial(t)
			synctest.Wait()
			if _, err := io.ReadAll(p.dial(t)); err != nil {
				t.Fatal(err)
			}
			if got := p.logs.String(); strings.Contains(got, "S:") ||
				strings.Contains(got, "*") {
				t.Errorf("got log %q, want nothing of the conversation", got)
			}
		})
	})
}
