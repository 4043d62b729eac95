// This file is the same in every program that names files after what the
// network says: 02-file-transfer/client and 03-image-download/client. A
// test keeps the copies identical.

package main

import (
	"errors"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxName is the longest file name safeName allows, in bytes: every
// system takes 255, which leaves room for a number (saveFile's
// "photo-12.png").
const maxName = 200

// safeName returns nil if name can be a file name in the output folder on
// every system, and why not otherwise. It refuses rather than repairs: a
// peer that sends "../x" is broken or hostile, and saving under another
// name would hide that. The rules are the same on every system, so a name
// that one learner's machine takes is taken on every other.
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

// invisible reports the characters that are not visible text: control
// characters, format characters such as U+202E, which makes
// "a\u202Egnp.exe" show as "aexe.png", spaces other than the ASCII one
// (U+3000, U+00A0), and the fillers that show as a blank (U+3164): a
// name made of them would look like no name at all.
func invisible(r rune) bool {
	return !unicode.IsPrint(r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// reservedOnWindows reports the names Windows keeps for devices: CON,
// PRN, AUX, NUL, COM1 to COM9 and LPT1 to LPT9 (also with ¹ ² ³), in any
// case, alone or before an extension: "nul", "AUX.png", "com1.tar.gz".
func reservedOnWindows(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if rest, ok := strings.CutPrefix(stem, "COM"); ok {
		return isDeviceNumber(rest)
	}
	if rest, ok := strings.CutPrefix(stem, "LPT"); ok {
		return isDeviceNumber(rest)
	}
	return false
}

func isDeviceNumber(s string) bool {
	return len(s) == 1 && '1' <= s[0] && s[0] <= '9' ||
		s == "¹" || s == "²" || s == "³"
}
