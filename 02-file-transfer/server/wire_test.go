package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 3324: "3,324",
		99999: "99,999", 100000: "100,000", 1048576: "1,048,576",
		-1000: "-1,000", -999: "-999", -100000: "-100,000",
	} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d): got %q, want %q", n, got, want)
		}
	}
}

func TestQuoteLine(t *testing.T) {
	long := `{"filename":"` + strings.Repeat("a", 300) + `"}`
	tests := []struct{ name, in, want string }{
		{"JSON is shown as sent", `{"filename":"a.png","size":3}`,
			`{"filename":"a.png","size":3}`},
		{"JSON's escapes are shown as sent", `{"filename":"\u001b.png"}`,
			`{"filename":"\u001b.png"}`},
		{"a line that starts with a quote mark is quoted", `"hi"`, `"\"hi\""`},
		{"an escape character is quoted", "{\"a\":\"\x1b[2J\"}",
			`"{\"a\":\"\x1b[2J\"}"`},
		{"a byte that is not UTF-8 is quoted", "{\"a\":\"\x9b\"}", `"{\"a\":\"\x9b\"}"`},
		{"an invisible character is quoted", "{\"a\":\"\u202e\"}", `"{\"a\":\"\u202e\"}"`},
		{"a filler that shows as a blank is quoted", "{\"a\":\"\u3164\"}",
			`"{\"a\":\"\u3164\"}"`},
		{"a long line is cut", long, long[:maxShown] + "... (115 more bytes)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := quoteLine(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzQuoteLine(f *testing.F) {
	for _, s := range []string{`{"filename":"a.png"}`, `"hi"`, "\x1b[2J",
		"\x9b", "\u202e", "\u3164", strings.Repeat("é", 150), `\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := quoteLine(s)
		if !utf8.ValidString(got) || strings.ContainsFunc(got,
			func(r rune) bool { return !strconv.IsPrint(r) || filler(r) }) {
			t.Fatalf("quoteLine(%q) = %q, which is not safe to print", s, got)
		}
		if len(got) > 4*maxShown+40 {
			t.Fatalf("quoteLine(%q) is %d bytes long", s, len(got))
		}
		shown, _, _ := strings.Cut(got, "... (")
		if strings.HasPrefix(got, `"`) {
			return // Go's quoted form: quote's tests check it
		}
		// Shown as it is: it must be what was sent, or its start.
		if !strings.HasPrefix(s, shown) {
			t.Fatalf("quoteLine(%q) = %q, which is not what was sent", s, got)
		}
	})
}

func TestLineIsBounded(t *testing.T) {
	// A peer's 64 KiB of line ends is 65,536 lines: -v prints maxLines.
	var out strings.Builder
	newWire(&out, true).line("S:", strings.Repeat("\n", 65536))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := fmt.Sprintf("S: <%d more lines>", 65536-maxLines+1)
	if len(lines) != maxLines || lines[maxLines-1] != want {
		t.Errorf("got %d lines ending %q, want %d ending %q", len(lines),
			lines[len(lines)-1], maxLines, want)
	}
}
