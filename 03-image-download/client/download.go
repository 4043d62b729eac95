package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
)

// downloader asks the API for pictures and saves them in root.
type downloader struct {
	client *http.Client // with a Timeout: each request is bounded
	root   *os.Root
	cfg    config
	log    io.Writer // notes on the API's answer
	names  sync.Map  // with -overwrite, the names of this run (take)
}

// getPictures asks the API for links, then downloads the pictures,
// cfg.workers at once. It returns how many there are, and the channel of
// their results, closed after the last.
func (d *downloader) getPictures(ctx context.Context) (int, <-chan result, error) {
	links, err := askAPI(ctx, d.client, d.cfg)
	if err != nil {
		return 0, nil, err
	}
	if len(links) > d.cfg.num {
		fmt.Fprintf(d.log, "the API listed %d pictures for -num %d: "+
			"taking the first %d\n", len(links), d.cfg.num, d.cfg.num)
		links = links[:d.cfg.num]
	}
	work := func(i int) result {
		r, err := d.fetch(ctx, i, links[i])
		r.link, r.err = links[i], err
		return r
	}
	return len(links), startWorkers(ctx, d.cfg.workers, len(links), work), nil
}

// result is how the download of link ended: err, or saved as name
// (another file had the name wanted, if they differ).
type result struct {
	link, name, wanted string
	size               int64
	err                error
}

// fetch downloads the i-th picture, at the link raw: http or https,
// relative ("/images/1.png") to the API's address or not.
func (d *downloader) fetch(ctx context.Context, i int,
	raw string) (result, error) {
	u, err := d.cfg.api.Parse(raw)
	switch {
	case strings.TrimSpace(raw) == "" || strings.IndexAny(raw, "?#") == 0:
		return result{}, errors.New("not a link to a picture") // or the API's
	case err != nil: // a *url.Error, which repeats the link, query and all
		return result{}, fmt.Errorf("not a link: %w", errors.Unwrap(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return result{}, errors.New("not an http or https link")
	}
	resp, err := get(ctx, d.client, u.String(), "image/*")
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > d.cfg.maxSize {
		return result{}, fmt.Errorf("%d bytes is larger than -max-size %d",
			resp.ContentLength, d.cfg.maxSize)
	}
	// Is it a picture? Its first bytes say, as a browser sees: a server
	// may call a login page image/png.
	body := bufio.NewReaderSize(io.LimitReader(resp.Body, d.cfg.maxSize+1), 4096)
	head, err := body.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return result{}, err
	}
	ctype, err := pictureType(head, resp.Header.Get("Content-Type"))
	if err != nil {
		return result{}, err
	}
	return d.save(fileName(u, i, ctype), body)
}

// pictureType returns the media type of a body that starts with head, if
// a picture. The bytes decide; the server's Content-Type only for formats
// Go does not know.
func pictureType(head []byte, contentType string) (string, error) {
	if len(head) == 0 {
		return "", errors.New("empty body, not a picture")
	}
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	if strings.HasPrefix(sniffed, "image/") {
		return sniffed, nil
	}
	declared, _, _ := mime.ParseMediaType(contentType)
	if sniffed == "application/octet-stream" &&
		strings.HasPrefix(declared, "image/") {
		return declared, nil // a format DetectContentType does not know
	}
	return "", fmt.Errorf("not a picture (%s)", sniffed)
}

// fileName names the i-th picture, at u, of type ctype: the link's last
// segment if it is a safe name, else the picture's number; with an
// extension that fits ctype.
func fileName(u *url.URL, i int, ctype string) string {
	escaped := u.EscapedPath()
	segment := escaped[strings.LastIndex(escaped, "/")+1:]
	// Unescaped after the split: "a%2Fb.png" is one segment, "a/b.png",
	// and refused below rather than taken for a path.
	name, err := url.PathUnescape(segment)
	if ext := path.Ext(name); ext == "" || mime.TypeByExtension(ext) != ctype {
		name = strings.TrimSuffix(name, ext) + extension(ctype)
	}
	if err != nil || safeName(name) != nil {
		name = strconv.Itoa(i+1) + extension(ctype)
	}
	return name
}

// extension returns a file extension for a picture's media type.
func extension(ctype string) string {
	exts, _ := mime.ExtensionsByType(ctype)
	switch {
	case ctype == "image/jpeg":
		return ".jpg" // the system's list starts with .jfif or .jpe
	case len(exts) > 0:
		return exts[0]
	}
	return ".img"
}

// save saves body in root as want or, if it is taken, as the next free
// name (want-1.png). With -overwrite, saveFile replaces what has the
// name, so the run hands out names itself (take).
func (d *downloader) save(want string, body io.Reader) (result, error) {
	r := result{name: want, wanted: want}
	if d.cfg.overwrite {
		r.name = take(&d.names, want)
	}
	used, err := saveFile(d.root, r.name, d.cfg.overwrite, func(w io.Writer) error {
		// Copied 32 KiB at a time: a picture is never whole in memory.
		n, err := io.Copy(w, body)
		if err == nil && n > d.cfg.maxSize {
			err = fmt.Errorf("larger than -max-size %d", d.cfg.maxSize)
		}
		r.size = n
		return err
	})
	if err != nil && d.cfg.overwrite {
		d.names.Delete(strings.ToLower(r.name)) // free for the next picture
	}
	r.name = used
	return r, err
}

// take returns name, or the first of name-1.ext, name-2.ext, ... that no
// other picture of this run has, in any letter case (Windows and macOS
// see "A.png" and "a.png" as one name).
func take(taken *sync.Map, name string) string {
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 1; ; n++ {
		if _, dup := taken.LoadOrStore(strings.ToLower(name), true); !dup {
			return name
		}
		name = fmt.Sprintf("%s-%d%s", stem, n, ext)
	}
}
