// Tests of httpserver.go, the same file in 03-image-download/server and
// 05-sms/server; a test keeps the copies identical.

package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"strings"
	"testing"

	"netprog/internal/loopback"
)

func TestServeKeepsUnderTheOpenFileLimit(t *testing.T) {
	// A -max-conns as large as the open-file limit: serve lowers it, and
	// says so as it starts.
	files := openFiles()
	if files == 0 || files > 1<<40 {
		t.Skipf("no open-file limit here to keep under (%d)", files)
	}
	var out loopback.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve starts, then stops at once
	srv := &http.Server{Handler: http.NotFoundHandler(),
		ErrorLog: log.New(&out, "", 0)}
	err := serve(ctx, loopback.NewPipeListener(), srv, int(files))
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("ulimit -n is %d: at most %d connections at once",
		files, files-spareFiles)
	if !strings.Contains(out.String(), want) {
		t.Errorf("got log %q, want %q in it", out.String(), want)
	}
}
