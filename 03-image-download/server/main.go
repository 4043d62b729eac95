// Command server is a local stand-in for the picture API the tutorial
// calls in its section "requests library" (api.tianapi.com/meinv/): an
// HTTP server that answers GET /meinv/?key=K&num=N with JSON listing N
// picture links, and serves the pictures, which it draws itself.
//
// It answers like the real API, error codes included, so the downloader
// can be tried and tested with no account, key or internet connection.
//
//	go run ./03-image-download/server
//	go run ./03-image-download/client
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The API's codes (the real API's): 200 is success, anything else an error
// with a message, still sent with HTTP status 200.
const (
	codeOK         = 200
	codeBadKey     = 230 // the key is wrong or missing
	codeBadParam   = 270 // a parameter has a bad value
	codeNoParam    = 280 // a required parameter is missing
	maxPerRequest  = 50  // the most pictures one request may ask for
	maxPictures    = 100
	shutdownBudget = 5 * time.Second
)

// errUsage reports a mistake on the command line. The flag package has
// already printed what was wrong, so main only exits with status 2.
var errUsage = errors.New("bad usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first Ctrl-C asks for a clean stop; once it has, a second one
	// ends the program at once, as usual.
	context.AfterFunc(ctx, stop)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: server [-addr HOST:PORT] [-key KEY] "+
			"[-count N] [-delay D]")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:8000",
		"address to listen on (0.0.0.0:8000 to let other machines in)")
	key := fs.String("key", "demo",
		"the API key the server accepts (a test key, not a secret)")
	count := fs.Int("count", 20, "how many pictures the server has (1 to 100)")
	delay := fs.Duration("delay", 0, "how long each picture takes to send, "+
		"up to 10s, to see concurrency pay off (e.g. 100ms; default 0)")
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
	case *key == "":
		problem = "-key must not be empty"
	case *count < 1 || *count > maxPictures:
		problem = fmt.Sprintf("-count must be from 1 to %d", maxPictures)
	case *delay < 0 || *delay > 10*time.Second:
		problem = "-delay must be from 0 to 10s"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return errUsage
	}

	pictures, err := drawPictures(*count)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("%w (is another server using that port? "+
			"choose another with -addr)", err)
	}
	logger := log.New(stderr, "", log.LstdFlags)
	if *key == "demo" {
		logger.Printf("listening on %s (try curl 'http://%s/meinv/?key=demo&num=2')",
			ln.Addr(), ln.Addr())
	} else {
		logger.Printf("listening on %s (with the key given by -key)", ln.Addr())
	}
	api := &api{key: *key, pictures: pictures, delay: *delay, log: logger}
	if err := serve(ctx, ln, api.handler()); err != nil {
		return err
	}
	logger.Print("stopped")
	return nil
}

// serve runs an HTTP server on ln until ctx is cancelled, then shuts it
// down: it stops accepting, and waits a bounded time for requests in
// progress before it closes their connections.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	// Every phase of a request has a bound, so a client that sends its
	// headers or reads the answer one byte a minute cannot hold a
	// connection for ever.
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      time.Minute,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		// Requests' contexts end with ctx, so Ctrl-C also ends a
		// picture's -delay at once.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err // Serve never returns nil
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownBudget)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		// Some responses are still being written after the budget:
		// cut them off. The server has stopped all the same.
		_ = srv.Close() // its error would only repeat that
	}
	<-errc // http.ErrServerClosed, as expected after Shutdown
	return nil
}

// api answers the picture API's two kinds of request.
type api struct {
	key      string
	pictures [][]byte // PNG files, encoded once at start-up
	delay    time.Duration
	log      *log.Logger
}

func (a *api) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /meinv/{$}", a.list)
	mux.HandleFunc("GET /images/{name}", a.picture)
	return mux
}

// item is one picture in the API's answer, with the real API's fields.
type item struct {
	Ctime       string `json:"ctime"`
	Title       string `json:"title"`
	Description string `json:"description"`
	PicURL      string `json:"picUrl"`
	URL         string `json:"url"`
}

// list answers GET /meinv/?key=K&num=N. Like the real API, it answers
// every request it understands with HTTP 200 and says in the JSON whether
// it worked: code 200 and a list, or another code and a message.
func (a *api) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch key := q.Get("key"); {
	case key != a.key:
		a.reply(w, codeBadKey, "API key is wrong or missing", nil)
		return
	case !q.Has("num"):
		a.reply(w, codeNoParam, "missing parameter: num", nil)
		return
	}
	num, err := strconv.Atoi(q.Get("num"))
	if err != nil || num < 1 || num > maxPerRequest {
		a.reply(w, codeBadParam,
			fmt.Sprintf("num must be a whole number from 1 to %d", maxPerRequest), nil)
		return
	}

	// The links use the host the client asked for, so they work on any
	// port and any name this server is reached by.
	base := "http://" + r.Host
	list := make([]item, num)
	for i := range list {
		n := i%len(a.pictures) + 1
		list[i] = item{
			Ctime:       "2026-11-25 10:00",
			Title:       fmt.Sprintf("Picture %d", n),
			Description: "A picture drawn by the local picture API.",
			PicURL:      fmt.Sprintf("%s/images/%d.png", base, n),
			URL:         fmt.Sprintf("%s/images/%d.png", base, n),
		}
	}
	a.reply(w, codeOK, "success", list)
}

func (a *api) reply(w http.ResponseWriter, code int, msg string, list []item) {
	body, err := json.Marshal(struct {
		Code     int    `json:"code"`
		Msg      string `json:"msg"`
		Newslist []item `json:"newslist,omitempty"`
	}{code, msg, list})
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body) // a client that went away is no concern of ours
}

// picture serves GET /images/N.png.
func (a *api) picture(w http.ResponseWriter, r *http.Request) {
	num, ok := strings.CutSuffix(r.PathValue("name"), ".png")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 || n > len(a.pictures) || num != strconv.Itoa(n) {
		http.NotFound(w, r)
		return
	}
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-r.Context().Done():
			return // the client gave up
		}
	}
	pic := a.pictures[n-1]
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(pic)))
	if _, err := w.Write(pic); err != nil {
		a.log.Printf("%s %s: %v", r.RemoteAddr, r.URL.Path, err)
	}
}

// drawPictures draws count different pictures: diagonal stripes whose
// colours and width depend on the picture's number.
func drawPictures(count int) ([][]byte, error) {
	const width, height = 320, 240
	pics := make([][]byte, count)
	for i := range pics {
		n := i + 1
		c1 := []byte{uint8(n * 67), uint8(n * 151), uint8(n * 29), 255}
		c2 := []byte{255 - c1[0], 255 - c1[1], 255 - c1[2], 255}
		stripe := 8 + n%24
		// One row of stripes, a period longer than the picture: row y
		// is the same row shifted by y, so it is copied, not drawn.
		period := 2 * stripe
		row := make([]byte, 0, (width+period)*4)
		for x := range width + period {
			if x/stripe%2 == 0 {
				row = append(row, c1...)
			} else {
				row = append(row, c2...)
			}
		}
		img := image.NewNRGBA(image.Rect(0, 0, width, height))
		for y := range height {
			shift := y % period * 4
			copy(img.Pix[y*img.Stride:], row[shift:shift+width*4])
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return nil, fmt.Errorf("draw picture %d: %w", n, err)
		}
		pics[i] = buf.Bytes()
	}
	return pics, nil
}
