package main

import (
	"encoding/base64"
	"encoding/json"
	"net"
)

// What -v prints of the conversation with each client, each line starting
// with the client's address: the header of what the server sends ("S:"),
// with the file's data shown as its size, and that the server closed the
// connection, after how many bytes. The client sends nothing: connecting
// is its request.

// shown returns what -v prints for the start of what the protocol proto
// sends, and how many bytes of it that stands for. In json mode it is the
// whole message, its base64 elided: {"filename":"sample.png","filedata":
// <3,324 bytes of base64>}; in stream mode, the header line as it is.
func (f *file) shown(proto string) (head string, n int64) {
	if proto == "stream" {
		header := f.streamHeader()
		return string(header), int64(len(header))
	}
	name, err := json.Marshal(f.name)
	if err != nil {
		panic(err) // a string always marshals
	}
	b64 := base64.StdEncoding.EncodedLen(int(f.size))
	return `{"filename":` + string(name) + `,"filedata":<` +
		thousands(int64(b64)) + ` bytes of base64>}`, int64(len(f.json))
}

// showSent prints, with -v, the file's bytes that followed the header
// (stream mode), and that the server closed the connection after sent
// bytes.
func showSent(w *wire, cfg config, sent int64) {
	if w == nil {
		return // not even the numbers: this runs for every client
	}
	if file := sent - cfg.headLen; file > 0 {
		w.line("S:", "<"+thousands(file)+" bytes of file>")
	}
	if sent == cfg.size {
		w.note("the server closed the connection after %s bytes",
			thousands(sent))
		return
	}
	w.note("the server closed the connection after %s of %s bytes",
		thousands(sent), thousands(cfg.size))
}

// showRefusal prints, with -v, the busy answer sent to a client, and that
// the server closed the connection at once.
func showRefusal(w *wire, conn net.Conn, sent []byte) {
	if w == nil {
		return
	}
	w = w.peer(conn.RemoteAddr().String())
	w.line("S:", string(sent))
	w.note("the server closed the connection after %s bytes: every slot "+
		"is taken", thousands(int64(len(sent))))
}
