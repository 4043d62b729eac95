// This file is the same in 02-file-transfer/client and
// 03-image-download/client; a test keeps the copies identical.

package main

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

const maxName = 200 // bytes; every system takes 255, for "photo-12.png" too

// safeName returns nil if name can be a file name in the output folder on
// every system (the same rules everywhere), and why not otherwise. It
// refuses rather than repairs: a peer that sends "../x" is broken or
// hostile, and saving under another name would hide that.
func safeName(name string) error {
	switch {
	case name == "":
		return errors.New("empty")
	case len(name) > maxName:
		return errors.New("longer than 200 bytes")
	case !utf8.ValidString(name):
		return errors.New("not UTF-8")
	case strings.ContainsAny(name, `/\`):
		return errors.New("it holds a path separator")
	case strings.ContainsAny(name, `<>:"|?*`):
		return errors.New(`it holds < > : " | ? or *, which Windows refuses`)
	case strings.ContainsFunc(name, invisible):
		return errors.New("it holds a control or invisible character")
	case strings.HasPrefix(name, "."):
		return errors.New(`a hidden file (such as .bashrc), or "." or ".."`)
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return errors.New("it ends in a dot or space, which Windows drops")
	case reservedOnWindows(name):
		return errors.New("a name that Windows keeps for a device")
	case !filepath.IsLocal(name):
		return errors.New("not a plain name on this system")
	}
	return nil
}

// invisible reports control and format characters (U+202E shows
// "a\u202Egnp.exe" as "aexe.png"), spaces but ' ', and blank letters (U+3164).
func invisible(r rune) bool {
	return !unicode.IsPrint(r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// reservedOnWindows reports the names Windows keeps for devices, in any
// case, alone or before an extension: "nul", "AUX.png", "com1.tar.gz".
func reservedOnWindows(name string) bool { return reserved.MatchString(name) }

var reserved = regexp.MustCompile(`(?i)^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|` +
	`COM[1-9¹²³]|LPT[1-9¹²³]) *(\.|$)`)
