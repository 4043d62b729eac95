package main

import (
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

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
