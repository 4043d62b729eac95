package main

import (
	"fmt"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
)

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
	if err != nil || safeName(name) != nil {
		name = strconv.Itoa(i+1) + extension(ctype)
	}
	return name
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

func (s *nameSet) take(name string) string {
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
