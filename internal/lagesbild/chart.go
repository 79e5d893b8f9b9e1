package lagesbild

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Bar is one bar of a chart: a label and a count.
type Bar struct {
	Label string
	N     int
}

// ChartText is the text of a chart, in the staff's language.
type ChartText struct {
	// Title heads the whole picture, e.g. "Lägesbild 2026-W48".
	Title string
	// Areas and Times head the two panels.
	Areas, Times string
	// Count labels the count axis.
	Count string
}

// The chart's geometry, in pixels. A row holds one bar and up to two lines of its label.
const (
	chartWidth   = 1200
	margin       = 24 // around the picture
	panelGap     = 56 // between the two panels
	titleBand    = 56 // the title, above the panels
	headingBand  = 34 // a panel's heading, above its bars
	rowPitch     = 46
	barThickness = 28
	axisBand     = 52 // under the bars: tick marks, tick numbers and the axis label
	labelGap     = 10 // between a label and the axis
	countGap     = 6  // between a bar's end and its count
	labelShare   = 45 // at most this percentage of a panel's width goes to labels
	labelLines   = 2  // a longer label ends with "…"
	maxLabelLen  = 200
	maxTicks     = 10
	maxCount     = 1 << 31 // far above any week's reports; keeps the arithmetic in range
)

// Font sizes, in pixels.
const (
	titleSize   = 22
	headingSize = 17
	labelSize   = 15
	tickSize    = 13
)

// Colours, as 0xRRGGBB.
const (
	inkColour        = 0x222222
	axisColour       = 0x555555
	gridColour       = 0xdddddd
	areaColour       = 0x1f5f8b
	timeColour       = 0x8b4a1f
	backgroundColour = 0xffffff
)

// rgb is the opaque colour 0xRRGGBB.
func rgb(c uint32) color.RGBA {
	return color.RGBA{R: uint8(c >> 16), G: uint8(c >> 8), B: uint8(c), A: 0xff}
}

// faces are the type faces of one drawing: the Go fonts, which cover Latin-1 (åäö ÅÄÖ)
// and the dashes in the times of day. A face is not safe for concurrent use, so each
// drawing parses the fonts anew (about 20 µs for both).
type faces struct {
	title, heading, label, tick font.Face
}

// newFaces makes the faces of one drawing; close them after.
func newFaces() (*faces, error) {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("parse Go regular: %w", err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("parse Go bold: %w", err)
	}
	var fs faces
	for _, x := range []struct {
		dst  *font.Face
		font *opentype.Font
		size float64
	}{
		{&fs.title, bold, titleSize}, {&fs.heading, bold, headingSize},
		{&fs.label, regular, labelSize}, {&fs.tick, regular, tickSize},
	} {
		*x.dst, err = opentype.NewFace(x.font, &opentype.FaceOptions{Size: x.size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			return nil, fmt.Errorf("font face: %w", err)
		}
	}
	return &fs, nil
}

// close releases the faces.
func (fs *faces) close() {
	for _, f := range []font.Face{fs.title, fs.heading, fs.label, fs.tick} {
		_ = f.Close()
	}
}

// Chart draws the week as a PNG: reports per area and per time of day, side by side, each
// bar with its count at its end, whole-number gridlines on the count axis. The caller
// passes areas already suppressed (areas under MinShown merged into one bar). The
// picture grows taller with the number of bars, so that every label stays readable; a
// label too long for two lines ends with "…". A count below 0 or above 2³¹ is an error.
func Chart(text ChartText, areas, times []Bar) ([]byte, error) {
	for _, bars := range [][]Bar{areas, times} {
		for _, b := range bars {
			if b.N < 0 || b.N > maxCount {
				return nil, fmt.Errorf("draw chart: count %d of %q out of range 0..%d", b.N, b.Label, maxCount)
			}
		}
	}
	fs, err := newFaces()
	if err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	defer fs.close()

	rows := max(len(areas), len(times), 1)
	height := margin + titleBand + headingBand + rows*rowPitch + axisBand + margin
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, height))
	fill(img, img.Bounds(), rgb(backgroundColour))
	c := canvas{img: img, fs: fs}

	inner := chartWidth - 2*margin
	title := ellipsize(fs.title, text.Title, fixed.I(inner))
	c.text(fs.title, title, chartWidth/2-width(fs.title, title)/2, margin+capHeight(fs.title), rgb(inkColour))

	panelWidth := (inner - panelGap) / 2
	top := margin + titleBand
	c.panel(panel{heading: text.Areas, axis: text.Count, bars: areas, fill: rgb(areaColour)}, margin, panelWidth, top)
	c.panel(panel{heading: text.Times, axis: text.Count, bars: times, fill: rgb(timeColour)}, margin+panelWidth+panelGap, panelWidth, top)

	var buf bytes.Buffer
	if err := png.Encode(&buf, paletted(img, rgb(areaColour), rgb(timeColour))); err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	return buf.Bytes(), nil
}

// panel is one of the chart's two bar charts.
type panel struct {
	heading, axis string
	bars          []Bar
	fill          color.RGBA
}

// canvas draws on one picture.
type canvas struct {
	img *image.RGBA
	fs  *faces
}

// panel draws p in the column [x0, x0+w) from y = top down: the heading, the labels
// right-aligned against the axis, the gridlines, the bars top to bottom in order with
// their counts, and the count axis under the last bar.
func (c canvas) panel(p panel, x0, w, top int) {
	fs := c.fs
	heading := ellipsize(fs.heading, p.heading, fixed.I(w))
	c.text(fs.heading, heading, x0, top+capHeight(fs.heading), rgb(inkColour))

	bars := p.bars
	if len(bars) == 0 {
		bars = []Bar{{Label: "–"}}
	}
	labels := make([][]string, len(bars))
	labelWidth, most, countWidth := 0, 1, 0
	for i, b := range bars {
		labels[i] = wrap(fs.label, b.Label, fixed.I(w*labelShare/100), labelLines)
		for _, line := range labels[i] {
			labelWidth = max(labelWidth, width(fs.label, line))
		}
		most = max(most, b.N)
		countWidth = max(countWidth, width(fs.label, strconv.Itoa(b.N)))
	}
	plotX := x0 + labelWidth + labelGap
	plotWidth := x0 + w - countGap - countWidth - plotX
	barsTop := top + headingBand
	barsBottom := barsTop + len(bars)*rowPitch

	// The count axis: whole numbers, as many as fit without their numbers touching.
	var ticks []int
	for n := maxTicks; n >= 1; n-- {
		ticks = integerTicks(most, n)
		end := ticks[len(ticks)-1]
		spacing := plotWidth / max(len(ticks)-1, 1)
		if spacing >= width(fs.tick, strconv.Itoa(end))+12 {
			break
		}
	}
	end := ticks[len(ticks)-1]
	x := func(v int) int { return plotX + int(int64(v)*int64(plotWidth)/int64(end)) }
	for _, v := range ticks {
		if v > 0 {
			fill(c.img, image.Rect(x(v), barsTop, x(v)+1, barsBottom), rgb(gridColour))
		}
	}

	lineHeight := fs.label.Metrics().Height.Ceil()
	for i, b := range bars {
		mid := barsTop + i*rowPitch + rowPitch/2
		if b.N > 0 {
			fill(c.img, image.Rect(plotX+1, mid-barThickness/2, x(b.N)+1, mid+barThickness/2), p.fill)
		}
		if len(p.bars) > 0 {
			c.text(fs.label, strconv.Itoa(b.N), x(b.N)+1+countGap, mid+capHeight(fs.label)/2, rgb(inkColour))
		}
		first := mid - (len(labels[i])-1)*lineHeight/2
		for j, line := range labels[i] {
			c.text(fs.label, line, plotX-labelGap-width(fs.label, line), first+j*lineHeight+capHeight(fs.label)/2, rgb(inkColour))
		}
	}

	fill(c.img, image.Rect(plotX, barsTop, plotX+1, barsBottom+1), rgb(axisColour))
	fill(c.img, image.Rect(plotX, barsBottom, x(end)+1, barsBottom+1), rgb(axisColour))
	tickBaseline := barsBottom + 5 + capHeight(fs.tick) + 4
	for _, v := range ticks {
		fill(c.img, image.Rect(x(v), barsBottom, x(v)+1, barsBottom+5), rgb(axisColour))
		s := strconv.Itoa(v)
		c.text(fs.tick, s, x(v)-width(fs.tick, s)/2, tickBaseline, rgb(inkColour))
	}
	axis := ellipsize(fs.label, p.axis, fixed.I(w))
	axisX := min(max(plotX+(x(end)-plotX)/2-width(fs.label, axis)/2, x0), x0+w-width(fs.label, axis))
	c.text(fs.label, axis, axisX, tickBaseline+8+capHeight(fs.label)+4, rgb(inkColour))
}

// paletted copies img into a paletted image of the greys from the ink to white and the
// given colours: everything a chart draws, as text is only antialiased against white and
// greys. Colours outside (none are drawn) take the nearest. A paletted PNG is a third of
// the data and is not filtered: it is encoded several times faster, and smaller.
func paletted(img *image.RGBA, colours ...color.RGBA) *image.Paletted {
	const darkest = inkColour & 0xff
	pal := make(color.Palette, 0, 256-darkest+len(colours))
	for v := darkest; v <= 0xff; v++ {
		pal = append(pal, color.RGBA{R: uint8(v), G: uint8(v), B: uint8(v), A: 0xff})
	}
	for _, c := range colours {
		pal = append(pal, c)
	}
	out := image.NewPaletted(img.Bounds(), pal)
	b := img.Bounds()
	last, index := color.RGBA{}, uint8(0) // the last colour not a grey: bars are runs of one
	for y := b.Min.Y; y < b.Max.Y; y++ {
		src := img.Pix[img.PixOffset(b.Min.X, y):]
		dst := out.Pix[out.PixOffset(b.Min.X, y):]
		for x := range b.Dx() {
			c := color.RGBA{R: src[4*x], G: src[4*x+1], B: src[4*x+2], A: 0xff}
			switch {
			case c.R == c.G && c.G == c.B:
				dst[x] = uint8(max(int(c.R), darkest) - darkest)
			case c == last:
				dst[x] = index
			default:
				last, index = c, uint8(pal.Index(c))
				dst[x] = index
			}
		}
	}
	return out
}

// text draws s with its baseline starting at (x, y).
func (c canvas) text(face font.Face, s string, x, y int, ink color.RGBA) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(ink), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// fill paints r in one colour.
func fill(img draw.Image, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// width is how wide s is drawn in face, in whole pixels.
func width(face font.Face, s string) int { return font.MeasureString(face, s).Ceil() }

// capHeight is the height of face's capital letters, in pixels: a baseline at the middle
// of a row plus half of it centres the text on the row.
func capHeight(face font.Face) int {
	if h := face.Metrics().CapHeight.Ceil(); h > 0 {
		return h
	}
	return face.Metrics().Ascent.Ceil()
}

// wrap breaks s into at most lines lines no wider than w, at spaces where it can and
// inside a word too long for a line; what does not fit ends with "…".
func wrap(face font.Face, s string, w fixed.Int26_6, lines int) []string {
	if utf8.RuneCountInString(s) > maxLabelLen {
		s = string([]rune(s)[:maxLabelLen])
	}
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if cur != "" && font.MeasureString(face, cur+" "+word) <= w {
			cur += " " + word
			continue
		}
		if cur != "" {
			out = append(out, cur)
		}
		cur = word
		for font.MeasureString(face, cur) > w {
			r := []rune(cur)
			n := max(prefix(face, r, "", w), 1) // a line holds at least one letter
			out = append(out, string(r[:n]))
			cur = string(r[n:])
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	if len(out) > lines {
		out = append(out[:lines-1], ellipsize(face, strings.Join(out[lines-1:], " ")+"…", w))
	}
	return out
}

// ellipsize shortens s to fit in w, ending it with "…" when it had to be shortened.
func ellipsize(face font.Face, s string, w fixed.Int26_6) string {
	if font.MeasureString(face, s) <= w {
		return s
	}
	r := []rune(s)
	if len(r) > maxLabelLen {
		r = r[:maxLabelLen]
	}
	n := prefix(face, r, "…", w)
	if n == 0 {
		return ""
	}
	return strings.TrimRight(string(r[:n]), " ") + "…"
}

// prefix is the length of the longest prefix of r that fits in w followed by suffix.
func prefix(face font.Face, r []rune, suffix string, w fixed.Int26_6) int {
	lo, hi := 0, len(r) // binary search: widths grow with length
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if font.MeasureString(face, strings.TrimRight(string(r[:mid]), " ")+suffix) <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// integerTicks returns the ticks of a count axis from 0 to at least most (most ≥ 1): whole
// numbers in steps of 1, 2 or 5 times a power of ten, at most n steps (n ≥ 1). The last
// tick is the axis' end.
func integerTicks(most, n int) []int {
	step := 1
	for pow, i := 1, 0; (most-1)/step+1 > n; i++ {
		step = []int{2, 5, 10}[i%3] * pow
		if i%3 == 2 {
			pow *= 10
		}
	}
	var ticks []int
	for v := 0; ; v += step {
		ticks = append(ticks, v)
		if v >= most {
			return ticks
		}
	}
}
