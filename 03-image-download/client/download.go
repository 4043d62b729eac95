package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// result is what one download ended with.
type result struct {
	link link
	file file // the file saved, if err is nil
	err  error
}

// download fetches every link with at most cfg.workers requests at once,
// prints a line to progress as each finishes, and returns how many were
// saved and how many failed; the rest were never started (Ctrl-C).
func download(ctx context.Context, client *http.Client, root *os.Root,
	cfg config, links []link, progress io.Writer) (saved, failed int) {
	for r := range startWorkers(ctx, client, root, cfg, links) {
		done := saved + failed + 1
		if r.err != nil {
			failed++
			fmt.Fprintf(progress, "[%d/%d] failed %s: %v\n", done, len(links), r.link, r.err)
			continue
		}
		saved++
		// The names passed safeName, but may hold a character, such as
		// U+00A0 (a space that does not break), that quote shows escaped.
		note := ""
		if r.file.name != r.file.wanted {
			note = "; " + quote(r.file.wanted) + " is taken"
		}
		fmt.Fprintf(progress, "[%d/%d] saved %s (%s%s)\n", done, len(links),
			filepath.Join(cfg.out, quote(r.file.name)),
			formatSize(r.file.size), note)
	}
	return saved, failed
}

// startWorkers starts the workers that fetch links, and returns the
// channel on which their results arrive, in the order they finish; it is
// closed when the last worker is done.
//
// The tutorial starts one thread per picture. With 10 that is fine; with
// 10,000 it opens 10,000 connections at once. Here a fixed number of
// workers, cfg.workers, take links from a channel: the work waits, not the
// machine.
func startWorkers(ctx context.Context, client *http.Client, root *os.Root,
	cfg config, links []link) <-chan result {
	jobs := make(chan int)
	results := make(chan result)
	names := &nameSet{taken: map[string]bool{}}
	var wg sync.WaitGroup
	for range min(cfg.workers, len(links)) {
		wg.Go(func() {
			for i := range jobs {
				f, err := fetch(ctx, client, root, cfg, links[i], i, names)
				if err != nil && ctx.Err() == nil && timedOut(err) {
					err = fmt.Errorf("no complete answer within -timeout %v: %w",
						cfg.timeout, err)
				}
				results <- result{links[i], f, err}
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
	return results
}

// fetch downloads one picture into root and returns the file it saved.
// i is the picture's place in the list, from 0.
func fetch(ctx context.Context, client *http.Client, root *os.Root, cfg config,
	l link, i int, names *nameSet) (file, error) {
	if l.err != nil {
		return file{}, l.err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.url.String(), nil)
	if err != nil {
		return file{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		err = requestError(err)
		return file{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return file{}, errors.New(quote(resp.Status))
	}
	if resp.ContentLength > cfg.maxSize {
		return file{}, fmt.Errorf("%s is larger than -max-size %s",
			formatSize(resp.ContentLength), formatSize(cfg.maxSize))
	}

	// Is it a picture? Look at its first bytes, as a browser does: a
	// server may call a login page image/png.
	body := bufio.NewReaderSize(io.LimitReader(resp.Body, cfg.maxSize+1), 4096)
	head, err := body.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) {
		return file{}, err
	}
	ctype, err := pictureType(head, resp.Header.Get("Content-Type"))
	if err != nil {
		return file{}, err
	}

	return savePicture(root, fileName(l.url, i, ctype), body, cfg, names)
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
