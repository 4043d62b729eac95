package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	t.Run("a name is handed out once, whatever its case", func(t *testing.T) {
		s := &nameSet{taken: map[string]bool{}}
		got := []string{s.take("a.png"), s.take("a.png"), s.take("A.png"),
			s.take("b")}
		want := []string{"a.png", "a-1.png", "A-2.png", "b"}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})

	names := []struct{ link, ctype, want string }{
		{"http://h/pics/cat.png", "image/png", "cat.png"},
		{"http://h/pics/cat.png", "image/jpeg", "cat.jpg"},
		{"http://h/pics/cat", "image/gif", "cat.gif"},
		{"http://h/pics/%E7%8C%AB.png", "image/png", "猫.png"},
		{"http://h/pics/a%2Fb.png", "image/png", "7.png"},
		{"http://h/pics/dir/", "image/png", "7.png"},
		{"http://h/", "image/png", "7.png"},
		{"http://h/pics/.hidden.png", "image/png", "7.png"},
		{"http://h/pics/%E2%80%AEgnp.exe", "image/png", "7.png"},
		{"http://h/pics/%E3%85%A4", "image/png", "7.png"},
		{"http://h/pics/%E1%85%A0%E1%85%A0.png", "image/png", "7.png"},
		{"http://h/pics/cat.png.", "image/png", "cat.png.png"},
		{"http://h/pics/x?name=../../evil.png", "image/png", "x.png"},
		// Names that Windows cannot hold get the number on every system,
		// so a list saves the same everywhere.
		{"http://h/pics/a%3Cb.png", "image/png", "7.png"},
		{"http://h/pics/a%3Eb.png", "image/png", "7.png"},
		{"http://h/pics/a%22b.png", "image/png", "7.png"},
		{"http://h/pics/a%7Cb.png", "image/png", "7.png"},
		{"http://h/pics/x%3F.png", "image/png", "7.png"},
		{"http://h/pics/a*.png", "image/png", "7.png"},
		{"http://h/pics/a:b.png", "image/png", "7.png"},
		{"http://h/pics/CON.png", "image/png", "7.png"},
		{"http://h/pics/nul", "image/png", "7.png"},
		{"http://h/pics/aux.tar.png", "image/png", "7.png"},
		{"http://h/pics/com1.png", "image/png", "7.png"},
		{"http://h/pics/lpt9.png", "image/png", "7.png"},
		{"http://h/pics/console.png", "image/png", "console.png"},
		{"http://h/pics/cat%20.png", "image/png", "cat .png"},
	}
	for _, tc := range names {
		t.Run(fmt.Sprintf("%s as %s is saved as %s", tc.link, tc.ctype, tc.want),
			func(t *testing.T) {
				u, err := url.Parse(tc.link)
				if err != nil {
					t.Fatal(err)
				}
				if got := fileName(u, 6, tc.ctype); got != tc.want {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			})
	}
}

func FuzzFileName(f *testing.F) {
	for _, seed := range []string{"pics/cat.png", "a%2Fb.png", "%2e%2e", "dir/",
		"%E2%80%AEgnp.exe", "x.png.", "%00", ".bashrc", "CON", "a%5Cb"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, p string) {
		u, err := url.Parse("http://h/" + p)
		if err != nil {
			return
		}
		name := fileName(u, 0, "image/png")
		if safeName(name) != nil || !strings.HasSuffix(strings.ToLower(name), ".png") {
			t.Errorf("fileName(%q) = %q, want a safe name ending in .png", p, name)
		}
		if filepath.Base(name) != name {
			t.Errorf("fileName(%q) = %q, which is a path", p, name)
		}
	})
}
