package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
)

// drawPictures draws count different pictures: diagonal stripes whose
// colors and width depend on the picture's number.
func drawPictures(count int) ([][]byte, error) {
	const width, height = 320, 240
	pics := make([][]byte, count)
	for i := range pics {
		n := i + 1
		c := []byte{uint8(n * 67), uint8(n * 151), uint8(n * 29), 255}
		colors := [2][]byte{c, {255 - c[0], 255 - c[1], 255 - c[2], 255}}
		stripe := 8 + n%24
		// One row of stripes, a period longer than the picture: row y
		// is the same row shifted by y, so it is copied, not drawn.
		period := 2 * stripe
		row := make([]byte, 0, (width+period)*4)
		for x := range width + period {
			row = append(row, colors[x/stripe%2]...)
		}
		img := image.NewNRGBA(image.Rect(0, 0, width, height))
		for y := range height {
			shift := y % period * 4
			copy(img.Pix[y*img.Stride:], row[shift:shift+width*4])
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return nil, fmt.Errorf("draw picture %d: %w", n, err)
		}
		pics[i] = buf.Bytes()
	}
	return pics, nil
}
