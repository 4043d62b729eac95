package main

import "fmt"

// jsonView is what wireView knows of the JSON going by: enough to tell
// where a string starts and ends, whose value it is, and where the
// outermost object ends. It does not check that the JSON is valid: the
// decoder does that.
type jsonView struct {
	depth    int    // objects and arrays open
	inString bool   // inside a string
	escaped  bool   // after a backslash in the string
	str      []byte // the string so far, while it is short enough to show
	length   int64  // the string's length on the wire
	elide    bool   // show the string as its size
	filedata bool   // the string is the value of "filedata"
	key      string // the last string shown: a key, if a colon follows
	colon    bool   // a colon came after it: the next value is key's
}

// seeByte follows one byte of the server's answer.
func (v *wireView) seeByte(c byte) {
	j := &v.json
	switch {
	case j.inString:
		if j.stringByte(c) {
			v.show(j.shown(true)...)
		}
		return
	case c == '"':
		j.inString, j.escaped, j.str, j.length = true, false, j.str[:0], 0
		j.filedata = j.colon && j.key == "filedata"
		j.elide = j.filedata
		return // shown when it ends
	case c == ':':
		j.colon = true
	case c == ' ', c == '\t', c == '\r', c == '\n':
		// white space changes nothing
	default:
		j.colon = false
	}
	v.show(c)
	switch c {
	case '{', '[':
		j.depth++
	case '}', ']':
		if j.depth > 0 {
			j.depth--
			if j.depth == 0 {
				v.endHead()
			}
		}
	}
}

// stringByte follows one byte of a string, and reports whether it ended
// the string.
func (j *jsonView) stringByte(c byte) bool {
	switch {
	case j.escaped:
		j.escaped = false
	case c == '\\':
		j.escaped = true
	case c == '"':
		j.inString, j.colon, j.key = false, false, ""
		if !j.elide {
			j.key = string(j.str)
		}
		return true
	}
	j.length++
	if !j.elide && len(j.str) == maxShown {
		j.elide = true // too long to read: shown as its size
	}
	if !j.elide {
		j.str = append(j.str, c)
	}
	return false
}

// shown is how the string is shown: as it is, between quote marks, or as
// its size. closed is false when the string never ended.
func (j *jsonView) shown(closed bool) []byte {
	if !j.elide {
		s := append([]byte{'"'}, j.str...)
		if closed {
			s = append(s, '"')
		}
		return s
	}
	what := "bytes"
	if j.filedata {
		what = "bytes of base64"
	}
	return fmt.Appendf(nil, "<%s %s>", thousands(j.length), what)
}
