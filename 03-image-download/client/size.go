// This file is the same in 02-file-transfer/client, 02-file-transfer/server,
// 03-image-download/client and 04-email/server; a test keeps the copies
// identical.

package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// byteSize is a flag that takes a number of bytes, alone or followed by
// KiB, MiB or GiB: -max-size 64MiB.
type byteSize int64

var units = []struct {
	suffix string
	size   int64
}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}

func (s *byteSize) Set(text string) error {
	text = strings.TrimSpace(text)
	mult := int64(1)
	for _, u := range units {
		if num, ok := strings.CutSuffix(text, u.suffix); ok {
			text, mult = strings.TrimSpace(num), u.size
			break
		}
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n <= 0 || n > (1<<40)/mult {
		return errors.New("want a size such as 1048576, 512KiB or 64MiB")
	}
	*s = byteSize(n * mult)
	return nil
}

func (s byteSize) String() string { return formatSize(int64(s)) }

// formatSize writes n bytes in the units a size flag takes: 100 B, 64 MiB,
// or to one decimal if not a whole number of one: 1.3 KiB (1024 bytes).
func formatSize(n int64) string {
	for _, u := range units[:len(units)-1] {
		switch {
		case n >= u.size && n%u.size == 0:
			return fmt.Sprintf("%d %s", n/u.size, u.suffix)
		case n >= u.size:
			return fmt.Sprintf("%.1f %s", float64(n)/float64(u.size), u.suffix)
		}
	}
	return fmt.Sprintf("%d B", n)
}
