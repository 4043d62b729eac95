// Command client asks a picture API for links, then downloads the
// pictures, a few at a time, into a folder.
//
// It is the Go version of the downloader in the tutorial's section
// "requests library", which calls api.tianapi.com/meinv/ and starts one
// thread per picture. Try it against the local stand-in for the API:
//
//	go run ./03-image-download/server
//	go run ./03-image-download/client
//
// Against the real API, put your key in the environment variable
// TIANAPI_KEY, then:
//
//	go run ./03-image-download/client -api http://api.tianapi.com/meinv/
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxAPIReply bounds the API's JSON answer.
const maxAPIReply = 1 << 20

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

// config is what the flags say.
type config struct {
	api     *url.URL
	key     string
	num     int
	out     string
	workers int
	timeout time.Duration
	maxSize int64
}

func run(ctx context.Context, args []string, getenv func(string) string,
	stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: client [-api URL] [-key KEY] [-num N] "+
			"[-out DIR] [-workers N] [-timeout D] [-max-size N]\n"+
			"The API key comes from the environment variable TIANAPI_KEY "+
			"(default demo, the local server's).")
		fs.PrintDefaults()
	}
	apiURL := fs.String("api", "http://127.0.0.1:8000/meinv/",
		"the picture API's address")
	key := fs.String("key", "", "API key (default: $TIANAPI_KEY, else demo); "+
		"prefer the variable: other users can see a command line")
	num := fs.Int("num", 10, "how many pictures to ask for (1 to 50)")
	out := fs.String("out", "downloads",
		"folder to save the pictures in (made if missing)")
	workers := fs.Int("workers", 4, "how many pictures to download at once")
	timeout := fs.Duration("timeout", 30*time.Second,
		"how long one request, body included, may take")
	maxSize := fs.Int64("max-size", 20<<20, "largest picture to accept, in bytes")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	cfg := config{key: *key, num: *num, out: *out, workers: *workers,
		timeout: *timeout, maxSize: *maxSize}
	if cfg.key == "" {
		cfg.key = getenv("TIANAPI_KEY")
	}
	if cfg.key == "" {
		cfg.key = "demo"
	}
	u, err := url.Parse(*apiURL)
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		problem = "-api: want an http:// or https:// URL"
	case cfg.num < 1 || cfg.num > 50:
		problem = "-num must be from 1 to 50"
	case cfg.workers < 1:
		problem = "-workers must be 1 or more"
	case cfg.timeout <= 0:
		problem = "-timeout must be more than 0"
	case cfg.maxSize <= 0:
		problem = "-max-size must be more than 0"
	}
	if problem != "" {
		fmt.Fprintln(stderr, problem)
		fs.Usage()
		return errUsage
	}
	cfg.api = u

	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	// Every file operation goes through root, which refuses any name
	// that would lead outside the folder.
	root, err := os.OpenRoot(cfg.out)
	if err != nil {
		return fmt.Errorf("-out: %w", err)
	}
	defer root.Close()

	// One client for every request: it keeps connections open between
	// requests to the same server, and bounds each request in time.
	client := &http.Client{Timeout: cfg.timeout}
	links, err := askAPI(ctx, client, cfg, stderr)
	if err != nil {
		return err
	}
	// Progress goes to stderr, a line per picture; the summary to stdout.
	saved, failed := download(ctx, client, root, cfg, links, stderr)
	summary := fmt.Sprintf("%d saved, %d failed", saved, failed)
	if rest := len(links) - saved - failed; rest > 0 {
		summary += fmt.Sprintf(", %d not started", rest)
	}
	fmt.Fprintln(stdout, summary)
	switch {
	case ctx.Err() != nil:
		return errors.New("interrupted")
	case saved < len(links):
		return fmt.Errorf("%d of %d pictures failed", len(links)-saved, len(links))
	}
	return nil
}

// apiReply is the API's answer: the older shape has the list at the top,
// the newer one under "result", as "newslist" or "list".
type apiReply struct {
	Code     *int      `json:"code"`
	Msg      string    `json:"msg"`
	Newslist []picture `json:"newslist"`
	Result   *struct {
		Newslist []picture `json:"newslist"`
		List     []picture `json:"list"`
	} `json:"result"`
}

type picture struct {
	PicURL string `json:"picUrl"`
}

// hints says what to do about the API's error codes.
var hints = map[int]string{
	230: "check the key: -key or the environment variable TIANAPI_KEY",
	270: "check -num",
	280: "a parameter is missing: check -api",
}

// link is one picture's address, as the API gave it.
type link struct {
	url   *url.URL // nil if it is not a link to fetch
	err   error    // why not
	shown string   // for messages
}

func (l link) String() string { return l.shown }

// askAPI asks the API for cfg.num pictures and returns their links. Notes
// on the answer go to logw.
func askAPI(ctx context.Context, client *http.Client, cfg config,
	logw io.Writer) ([]link, error) {
	u := *cfg.api
	q := u.Query() // url.Values escapes what needs escaping
	q.Set("key", cfg.key)
	q.Set("num", strconv.Itoa(cfg.num))
	u.RawQuery = q.Encode()
	// The key is in the URL, and Go's errors quote the URL: show a copy
	// without it.
	shown := redacted(&u)

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("ask %s: %w", shown, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // it repeats the URL, key and all
		}
		switch {
		case timedOut(err):
			return nil, fmt.Errorf("ask %s: no answer within -timeout %v: %w",
				shown, cfg.timeout, err)
		case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, wsaeconnrefused):
			return nil, fmt.Errorf("ask %s: %w (is the server running? "+
				"go run ./03-image-download/server)", shown, err)
		}
		return nil, fmt.Errorf("ask %s: %w", shown, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIReply+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("ask %s: %w", shown, err)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("ask %s: %s: %q", shown, resp.Status, abbrev(body))
	case len(body) > maxAPIReply:
		return nil, fmt.Errorf("ask %s: answer larger than %d bytes", shown, maxAPIReply)
	}

	list, err := parseReply(body)
	if err != nil {
		return nil, err
	}
	if len(list) > cfg.num {
		fmt.Fprintf(logw, "the API listed %d pictures for -num %d: "+
			"taking the first %d\n", len(list), cfg.num, cfg.num)
		list = list[:cfg.num]
	}
	links := make([]link, len(list))
	for i, raw := range list {
		links[i] = parseLink(cfg.api, raw)
	}
	return links, nil
}

// wsaeconnrefused is how Windows reports a refused connection.
const wsaeconnrefused = syscall.Errno(10061)

// parseReply checks the API's answer and returns the picture links in it.
func parseReply(body []byte) ([]string, error) {
	var reply apiReply
	if err := json.Unmarshal(body, &reply); err != nil {
		return nil, fmt.Errorf("the answer is not the API's JSON: %w: %q",
			err, abbrev(body))
	}
	switch {
	case reply.Code == nil:
		return nil, fmt.Errorf("the answer has no code: %q", abbrev(body))
	case *reply.Code != 200:
		// The message comes from the network: quoted, and not too long.
		err := fmt.Errorf("the API answered code %d: %q",
			*reply.Code, abbrev([]byte(reply.Msg)))
		if hint, ok := hints[*reply.Code]; ok {
			err = fmt.Errorf("%w (%s)", err, hint)
		}
		return nil, err
	}
	list := reply.Newslist
	if list == nil && reply.Result != nil {
		list = reply.Result.Newslist
		if list == nil {
			list = reply.Result.List
		}
	}
	if len(list) == 0 {
		return nil, errors.New("the API answered success but listed no pictures")
	}
	links := make([]string, len(list))
	for i, p := range list {
		links[i] = p.PicURL
	}
	return links, nil
}

// parseLink resolves a picture's link against the API's address: a link
// may be relative ("/images/1.png"). Only http and https links to a file
// are fetched.
func parseLink(api *url.URL, raw string) link {
	var l link
	u, err := api.Parse(raw)
	if err == nil {
		// Shown without its query, which may hold a key, and without
		// a password.
		shown := *u
		if shown.RawQuery != "" {
			shown.RawQuery = "..."
		}
		l.shown = shown.Redacted()
	} else {
		l.shown = quoteLink(raw)
	}
	switch {
	case strings.TrimSpace(raw) == "" || strings.HasPrefix(raw, "?") ||
		strings.HasPrefix(raw, "#"):
		// It would lead back to the API itself.
		l.shown = quoteLink(raw)
		l.err = errors.New("not a link to a picture")
	case err != nil:
		l.err = fmt.Errorf("not a link: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		l.err = errors.New("not an http or https link")
	default:
		l.url = u
	}
	return l
}

// quoteLink quotes a link that is not a URL, for messages, without its
// query.
func quoteLink(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i] + "?..."
	}
	return strconv.Quote(abbrev([]byte(raw)))
}

// redacted returns u as text with the key's value hidden.
func redacted(u *url.URL) string {
	c := *u
	q := c.Query()
	if q.Has("key") {
		q.Set("key", "REDACTED")
		c.RawQuery = q.Encode()
	}
	return c.Redacted()
}

// result is what one download ended with.
type result struct {
	link link
	name string // the file saved, if err is nil
	size int64
	err  error
}

// download fetches every link with at most cfg.workers requests at once,
// prints a line to progress as each finishes, and returns how many were
// saved and how many failed; the rest were never started (Ctrl-C).
//
// The tutorial starts one thread per picture. With 10 that is fine; with
// 10,000 it opens 10,000 connections at once. Here a fixed number of
// workers take links from a channel: the work waits, not the machine.
func download(ctx context.Context, client *http.Client, root *os.Root,
	cfg config, links []link, progress io.Writer) (saved, failed int) {
	jobs := make(chan int)
	results := make(chan result)
	names := &nameSet{taken: map[string]bool{}}
	var wg sync.WaitGroup
	for range min(cfg.workers, len(links)) {
		wg.Go(func() {
			for i := range jobs {
				name, size, err := fetch(ctx, client, root, cfg, links[i], i, names)
				if err != nil && ctx.Err() == nil && timedOut(err) {
					err = fmt.Errorf("no complete answer within -timeout %v: %w",
						cfg.timeout, err)
				}
				results <- result{links[i], name, size, err}
			}
		})
	}
	go func() {
		defer close(jobs)
		for i := range links {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return // Ctrl-C: hand out no more
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	for r := range results {
		done := saved + failed + 1
		if r.err != nil {
			failed++
			fmt.Fprintf(progress, "[%d/%d] failed %s: %v\n", done, len(links), r.link, r.err)
			continue
		}
		saved++
		fmt.Fprintf(progress, "[%d/%d] saved %s (%s)\n", done, len(links),
			filepath.Join(cfg.out, r.name), humanSize(r.size))
	}
	return saved, failed
}

// timedOut says whether err is a request that ran out of time.
func timedOut(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &netErr) && netErr.Timeout()
}

// fetch downloads one picture into root and returns the name it saved it
// under and its size. i is the picture's place in the list, from 0.
func fetch(ctx context.Context, client *http.Client, root *os.Root, cfg config,
	l link, i int, names *nameSet) (string, int64, error) {
	if l.err != nil {
		return "", 0, l.err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url.String(), nil)
	if err != nil {
		return "", 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // it repeats the link, query and all
		}
		return "", 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", 0, errors.New(resp.Status)
	}
	if resp.ContentLength > cfg.maxSize {
		return "", 0, fmt.Errorf("%s is larger than -max-size %s",
			humanSize(resp.ContentLength), humanSize(cfg.maxSize))
	}

	// Is it a picture? Look at its first bytes, as a browser does: a
	// server may call a login page image/png.
	body := bufio.NewReaderSize(io.LimitReader(resp.Body, cfg.maxSize+1), 4096)
	head, err := body.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", 0, err
	}
	ctype, err := pictureType(head, resp.Header.Get("Content-Type"))
	if err != nil {
		return "", 0, err
	}

	name := names.claim(fileName(l.url, i, ctype))
	var size int64
	err = saveAtomic(root, name, func(w io.Writer) error {
		// Copied 32 KiB at a time: a picture is never whole in memory.
		n, err := io.Copy(w, body)
		if err != nil {
			return err
		}
		if n > cfg.maxSize {
			return fmt.Errorf("larger than -max-size %s", humanSize(cfg.maxSize))
		}
		size = n
		return nil
	})
	if err != nil {
		names.release(name)
		return "", 0, err
	}
	return name, size, nil
}

// pictureType returns the media type of a body that starts with head, if
// it is a picture. The bytes decide; the server's Content-Type is used
// only for formats the bytes do not tell (Go knows the common ones).
func pictureType(head []byte, contentType string) (string, error) {
	if len(head) == 0 {
		return "", errors.New("empty body, not a picture")
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	if strings.HasPrefix(sniffed, "image/") {
		return sniffed, nil
	}
	declared, _, _ := mime.ParseMediaType(contentType)
	if sniffed == "application/octet-stream" && strings.HasPrefix(declared, "image/") {
		return declared, nil // a format DetectContentType does not know
	}
	return "", fmt.Errorf("not a picture (%s)", sniffed)
}

// fileName picks a file name for the picture at u, the i-th in the list,
// of type ctype: the last segment of the link's path, unescaped, if it is
// a safe name, or else the picture's number; with an extension that fits
// ctype.
func fileName(u *url.URL, i int, ctype string) string {
	escaped := u.EscapedPath()
	segment := escaped[strings.LastIndex(escaped, "/")+1:]
	// Unescaped after the split: "a%2Fb.png" is one segment, "a/b.png",
	// and refused below rather than taken for a path.
	name, err := url.PathUnescape(segment)
	if ext := path.Ext(name); ext == "" || mime.TypeByExtension(ext) != ctype {
		name = strings.TrimSuffix(name, ext) + extension(ctype)
	}
	if err != nil || !safeName(name) {
		name = strconv.Itoa(i+1) + extension(ctype)
	}
	return name
}

// safeName says whether name can be used as a file name in the output
// folder: a plain, visible name, not a path, and one that no system
// would change or read as something else.
func safeName(name string) bool {
	return name != "" && len(name) <= 200 && utf8.ValidString(name) &&
		!strings.ContainsAny(name, `/\:`) &&
		// Control characters, and format characters such as U+202E,
		// which shows "a\u202Egnp.exe" as "aexe.png".
		!strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsGraphic(r) }) &&
		!strings.HasPrefix(name, ".") && // no hidden files, no "..", no ".download-"
		!strings.HasSuffix(name, ".") && !strings.HasSuffix(name, " ") && // Windows drops them
		filepath.IsLocal(name)
}

// extension returns a file extension for a picture's media type.
func extension(ctype string) string {
	switch ctype {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	}
	if exts, _ := mime.ExtensionsByType(ctype); len(exts) > 0 {
		return exts[0]
	}
	return ".img"
}

// nameSet hands out file names so that no two pictures of one run get the
// same: the second "a.png" becomes "a-1.png". Names differing only in case
// count as the same, as they are on Windows and macOS.
type nameSet struct {
	mu    sync.Mutex
	taken map[string]bool // lower-case names
}

func (s *nameSet) claim(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 1; s.taken[strings.ToLower(name)]; n++ {
		name = fmt.Sprintf("%s-%d%s", stem, n, ext)
	}
	s.taken[strings.ToLower(name)] = true
	return name
}

func (s *nameSet) release(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.taken, strings.ToLower(name))
}

// saveAtomic creates a temporary file in root, lets write fill it, and
// renames it to name only if everything succeeded. On failure, or Ctrl-C,
// the temporary file is removed and name is untouched.
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
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp) // best effort: the error that matters is err
		return err
	}
	return nil
}

// humanSize writes n bytes as "41.2 KB".
func humanSize(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f KB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// abbrev shortens what the network sent for an error message.
func abbrev(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
