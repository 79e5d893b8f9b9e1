package lagesbild

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/png"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// sampleText and the sample bars are a busy week: eight area bars, the last the merged
// small areas, and four times of day.
var (
	sampleText  = ChartText{Title: "Lägesbild vecka 46, 2026 (2026-11-09 till 2026-11-15)", Areas: "Rapporter per område", Times: "Rapporter per tid på dygnet", Count: "Antal rapporter"}
	sampleAreas = []Bar{{"Bäckby", 14}, {"Centrum", 11}, {"Skallberget", 9}, {"Råby", 7}, {"Hammarby", 5}, {"Vallby", 4}, {"Öster Mälarstrand", 3}, {"Övriga områden (<3 vardera)", 8}}
	sampleTimes = []Bar{{"Morgon (06–10)", 4}, {"Dag (10–17)", 12}, {"Kväll (17–22)", 29}, {"Natt (22–06)", 16}}
)

// drawn is a chart as decoded from its PNG, in RGBA to read its pixels quickly.
type drawn struct {
	*image.RGBA
}

// render draws a chart and decodes it; it fails the test unless the bytes are a PNG.
func render(t *testing.T, text ChartText, areas, times []Bar) drawn {
	t.Helper()
	b, err := Chart(text, areas, times)
	if err != nil {
		t.Fatalf("Chart: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	rgba := image.NewRGBA(img.Bounds())
	if p, ok := img.(*image.Paletted); ok {
		pal := make([]color.RGBA, len(p.Palette))
		for i, c := range p.Palette {
			pal[i] = color.RGBAModel.Convert(c).(color.RGBA)
		}
		for i, ci := range p.Pix {
			c := pal[ci]
			rgba.Pix[4*i], rgba.Pix[4*i+1], rgba.Pix[4*i+2], rgba.Pix[4*i+3] = c.R, c.G, c.B, c.A
		}
	} else {
		stddraw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, stddraw.Src)
	}
	return drawn{rgba}
}

// half is the left (0) or right (1) half of the picture: the area or the time panel.
func (d drawn) half(i int) (x0, x1 int) {
	w := d.Bounds().Dx()
	return i * w / 2, (i + 1) * w / 2
}

// foundBar is a bar found in a picture: the rows and columns its colour covers.
type foundBar struct{ top, bottom, left, right int }

// bars finds the bars of colour c in a half of the picture, top to bottom: runs of rows
// that hold the colour, each spanning the columns it covers.
func (d drawn) bars(c color.RGBA, half int) []foundBar {
	x0, x1 := d.half(half)
	var out []foundBar
	in := false
	for y := d.Bounds().Min.Y; y < d.Bounds().Max.Y; y++ {
		left, right := -1, -1
		for x := x0; x < x1; x++ {
			if d.is(x, y, c) {
				if left < 0 {
					left = x
				}
				right = x
			}
		}
		switch {
		case left >= 0 && !in:
			out = append(out, foundBar{top: y, bottom: y, left: left, right: right})
			in = true
		case left >= 0:
			b := &out[len(out)-1]
			b.bottom, b.left, b.right = y, min(b.left, left), max(b.right, right)
		default:
			in = false
		}
	}
	return out
}

// is reports whether the pixel at (x, y) is exactly c.
func (d drawn) is(x, y int, c color.RGBA) bool {
	return d.RGBAAt(x, y) == c
}

// ink counts the text pixels (dark greys, antialiased or not) in r.
func (d drawn) ink(r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := d.RGBAAt(x, y)
			if c.R == c.G && c.G == c.B && c.R < 0xa0 {
				n++
			}
		}
	}
	return n
}

// TestChartDrawsEveryBarWithItsLabelAndCount reads the sample week back from the pixels:
// one bar per row in each panel's colour, top to bottom in the order given, lengths in
// proportion to the counts, text left of each bar (its label) and right of it (its count),
// and the title and headings above.
func TestChartDrawsEveryBarWithItsLabelAndCount(t *testing.T) {
	d := render(t, sampleText, sampleAreas, sampleTimes)
	if r := d.Bounds(); r.Dx() < 1000 || r.Dy() < 400 {
		t.Errorf("chart is %dx%d, too small to read", r.Dx(), r.Dy())
	}
	for half, p := range []struct {
		bars []Bar
		fill color.RGBA
	}{{sampleAreas, rgb(areaColour)}, {sampleTimes, rgb(timeColour)}} {
		found := d.bars(p.fill, half)
		if len(found) != len(p.bars) {
			t.Fatalf("panel %d: %d bars drawn, want %d", half, len(found), len(p.bars))
		}
		if other := d.bars(p.fill, 1-half); len(other) != 0 {
			t.Errorf("panel %d's colour appears in the other panel", half)
		}
		x0, x1 := d.half(half)
		longest := slices.MaxFunc(p.bars, func(a, b Bar) int { return a.N - b.N })
		perReport := float64(found[slices.Index(p.bars, longest)].right-found[0].left+1) / float64(longest.N)
		for i, b := range p.bars {
			f := found[i]
			if f.left != found[0].left {
				t.Errorf("%s starts at x=%d, the others at %d", b.Label, f.left, found[0].left)
			}
			if got, want := float64(f.right-f.left+1), float64(b.N)*perReport; got < want-1.5 || got > want+1.5 {
				t.Errorf("%s (%d) is %.0f px long, want %.1f", b.Label, b.N, got, want)
			}
			if h := f.bottom - f.top + 1; h < 20 {
				t.Errorf("%s is %d px thick", b.Label, h)
			}
			if i > 0 && f.top <= found[i-1].bottom {
				t.Errorf("%s is not below %s", b.Label, p.bars[i-1].Label)
			}
			rows := image.Rect(0, f.top, 0, f.bottom+1)
			if n := d.ink(image.Rect(x0, rows.Min.Y, f.left-1, rows.Max.Y)); n < 20 {
				t.Errorf("%s: %d text pixels left of the bar, want its label", b.Label, n)
			}
			if n := d.ink(image.Rect(f.right+2, rows.Min.Y, x1, rows.Max.Y)); n < 10 {
				t.Errorf("%s: %d text pixels right of the bar, want its count", b.Label, n)
			}
		}
		top := found[0].top
		if n := d.ink(image.Rect(x0, top-headingBand, x1, top)); n < 100 {
			t.Errorf("panel %d: %d text pixels above the bars, want its heading", half, n)
		}
		bottom := found[len(found)-1].bottom
		if n := d.ink(image.Rect(x0, bottom+rowPitch, x1, bottom+rowPitch+axisBand)); n < 100 {
			t.Errorf("panel %d: %d text pixels under the axis, want the numbers and %q", half, n, sampleText.Count)
		}
	}
	if n := d.ink(image.Rect(0, 0, d.Bounds().Dx(), margin+titleBand-8)); n < 300 {
		t.Errorf("%d text pixels in the title band, want the title", n)
	}
	if path := os.Getenv("TRYGG_CHART_OUT"); path != "" {
		b, err := Chart(sampleText, sampleAreas, sampleTimes)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestChartGrowsWithTheRows: more bars make a taller picture with the same width and the
// same bar thickness; the panel with more bars decides.
func TestChartGrowsWithTheRows(t *testing.T) {
	rows := func(n int) []Bar {
		bars := make([]Bar, n)
		for i := range bars {
			bars[i] = Bar{Label: fmt.Sprintf("Område %d", i+1), N: i + 3}
		}
		return bars
	}
	var last drawn
	for i, n := range []int{1, 4, 8, 16} {
		d := render(t, sampleText, rows(n), sampleTimes[:1])
		if d.Bounds().Dx() != chartWidth {
			t.Errorf("%d rows: %d px wide, want %d", n, d.Bounds().Dx(), chartWidth)
		}
		found := d.bars(rgb(areaColour), 0)
		if len(found) != n {
			t.Fatalf("%d rows: %d bars", n, len(found))
		}
		if h := found[0].bottom - found[0].top + 1; h != barThickness {
			t.Errorf("%d rows: bars %d px thick, want %d", n, h, barThickness)
		}
		if i > 0 && d.Bounds().Dy() <= last.Bounds().Dy() {
			t.Errorf("%d rows: %d px high, not more than %d", n, d.Bounds().Dy(), last.Bounds().Dy())
		}
		last = d
	}
	wide := render(t, sampleText, rows(3), rows(12))
	tall := render(t, sampleText, rows(12), rows(3))
	if wide.Bounds() != tall.Bounds() || wide.Bounds().Dy() < 12*rowPitch {
		t.Errorf("3+12 bars: %v, 12+3 bars: %v", wide.Bounds(), tall.Bounds())
	}
}

// TestChartGridlinesAtWholeNumbers: with a longest bar of 10 the count axis has gridlines
// at 1..10, evenly spaced, and each bar ends exactly on the gridline of its count.
func TestChartGridlinesAtWholeNumbers(t *testing.T) {
	d := render(t, sampleText, []Bar{{"Bäckby", 10}, {"Centrum", 5}, {"Råby", 3}}, nil)
	found := d.bars(rgb(areaColour), 0)
	if len(found) != 3 {
		t.Fatalf("%d bars", len(found))
	}
	// Gridlines show between the bars: look along the row between the first two.
	y := (found[0].bottom + found[1].top) / 2
	var grid []int
	for x := found[0].left; x < d.Bounds().Dx()/2; x++ {
		if d.is(x, y, rgb(gridColour)) {
			grid = append(grid, x)
		}
	}
	if len(grid) != 10 {
		t.Fatalf("%d gridlines at %v, want 10 (1..10)", len(grid), grid)
	}
	for i := 1; i < len(grid); i++ {
		if s, first := grid[i]-grid[i-1], grid[1]-grid[0]; s < first-1 || s > first+1 {
			t.Errorf("gridlines not evenly spaced: %v", grid)
			break
		}
	}
	for i, n := range []int{10, 5, 3} {
		if found[i].right != grid[n-1] {
			t.Errorf("bar of %d ends at x=%d, its gridline is at x=%d", n, found[i].right, grid[n-1])
		}
	}
}

// TestIntegerTicks: whole numbers in steps of 1, 2 or 5 times a power of ten, from 0 to
// the first tick at or past the largest count, at most n steps.
func TestIntegerTicks(t *testing.T) {
	for _, tc := range []struct {
		most, n int
		want    string
	}{
		{1, 10, "0 1"},
		{7, 10, "0 1 2 3 4 5 6 7"},
		{10, 10, "0 1 2 3 4 5 6 7 8 9 10"},
		{11, 10, "0 2 4 6 8 10 12"},
		{29, 10, "0 5 10 15 20 25 30"},
		{44, 10, "0 5 10 15 20 25 30 35 40 45"},
		{176, 10, "0 20 40 60 80 100 120 140 160 180"},
		{1100, 10, "0 200 400 600 800 1000 1200"},
		{1100, 3, "0 500 1000 1500"},
		{7, 1, "0 10"},
		{maxCount, 10, "0 500000000 1000000000 1500000000 2000000000 2500000000"},
	} {
		var got []string
		for _, v := range integerTicks(tc.most, tc.n) {
			got = append(got, fmt.Sprint(v))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("ticks to %d in at most %d steps: %v, want %s", tc.most, tc.n, got, tc.want)
		}
	}
}

// TestChartHasTheSwedishLetters: every letter of the staff's texts has a glyph of its own
// in the chart's fonts (no empty box), and Å, Ä, Ö draw differently from A and O.
func TestChartHasTheSwedishLetters(t *testing.T) {
	fs, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	defer fs.close()
	for _, face := range []font.Face{fs.title, fs.heading, fs.label, fs.tick} {
		for _, r := range "åäöÅÄÖéü–—…<>()0123456789" {
			if _, ok := face.GlyphAdvance(r); !ok {
				t.Errorf("no glyph for %q", r)
			}
		}
	}
	// One row per letter, beside a chart of the same letters without their marks: each
	// row's label must differ.
	swedish, plain := []rune("ÅÄÖåäö"), []rune("AAOaao")
	var marked, unmarked []Bar
	for i := range swedish {
		marked = append(marked, Bar{Label: "V" + string(swedish[i]) + "g", N: 3})
		unmarked = append(unmarked, Bar{Label: "V" + string(plain[i]) + "g", N: 3})
	}
	a, b := render(t, ChartText{}, marked, nil), render(t, ChartText{}, unmarked, nil)
	rows := b.bars(rgb(areaColour), 0)
	if len(rows) != len(marked) {
		t.Fatalf("%d bars, want %d", len(rows), len(marked))
	}
	for i, bar := range rows {
		differ := 0
		for y := bar.top - (rowPitch-barThickness)/2; y < bar.bottom+(rowPitch-barThickness)/2; y++ {
			for x := range bar.left - 1 {
				if a.RGBAAt(x, y) != b.RGBAAt(x, y) {
					differ++
				}
			}
		}
		if differ < 5 {
			t.Errorf("%q and %q differ in %d pixels", marked[i].Label, unmarked[i].Label, differ)
		}
	}
}

// TestChartOddInput: odd weeks and odd text draw a chart (or a clear error), never panic.
func TestChartOddInput(t *testing.T) {
	long := strings.Repeat("Övriga områden ", 700)
	for _, tc := range []struct {
		name         string
		text         ChartText
		areas, times []Bar
		bars         [2]int // bars drawn in each panel
		err          bool
	}{
		{name: "an empty week", text: ChartText{}},
		{name: "empty lists and text", text: sampleText, areas: []Bar{}, times: []Bar{}},
		{name: "all zero", text: sampleText, areas: []Bar{{"Bäckby", 0}}, times: []Bar{{"Natt", 0}, {"Dag", 0}}},
		{name: "one zero among others", text: sampleText, areas: []Bar{{"Bäckby", 4}, {"Centrum", 0}, {"Råby", 3}}, times: sampleTimes, bars: [2]int{2, 4}},
		{name: "a long label of words", text: sampleText, areas: []Bar{{long, 5}, {"Råby", 3}}, bars: [2]int{2, 0}},
		{name: "a long word", text: sampleText, areas: []Bar{{strings.Repeat("Å", 10000), 5}}, times: []Bar{{strings.Repeat("x", 300), 1}}, bars: [2]int{1, 1}},
		{name: "long titles", text: ChartText{Title: long, Areas: long, Times: long, Count: long}, areas: sampleAreas, times: sampleTimes, bars: [2]int{8, 4}},
		{name: "empty labels", text: sampleText, areas: []Bar{{"", 3}, {" \n\t", 4}}, bars: [2]int{2, 0}},
		{name: "bad UTF-8 and emoji", text: ChartText{Title: "\xff\xfe 🚨"}, areas: []Bar{{"\xc3\x28 Bäckby 🏠", 3}}, bars: [2]int{1, 0}},
		{name: "a big count", text: sampleText, areas: []Bar{{"Bäckby", maxCount}, {"Råby", 3}}, bars: [2]int{1, 0}},
		{name: "a negative count", areas: []Bar{{"Bäckby", -1}}, err: true},
		{name: "a count too big", times: []Bar{{"Natt", maxCount + 1}}, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err {
				if _, err := Chart(tc.text, tc.areas, tc.times); err == nil {
					t.Fatal("no error")
				}
				return
			}
			d := render(t, tc.text, tc.areas, tc.times)
			if d.Bounds().Dx() != chartWidth || d.Bounds().Dy() < 200 {
				t.Errorf("chart is %v", d.Bounds())
			}
			for half, fill := range []color.RGBA{rgb(areaColour), rgb(timeColour)} {
				if n := len(d.bars(fill, half)); n != tc.bars[half] {
					t.Errorf("panel %d: %d bars drawn, want %d", half, n, tc.bars[half])
				}
			}
		})
	}
}

// TestWrap: a label that fits stays as it is; a longer one breaks at spaces, a word too
// long for a line inside the word, and what does not fit in the lines ends with "…".
func TestWrap(t *testing.T) {
	fs, err := newFaces()
	if err != nil {
		t.Fatal(err)
	}
	defer fs.close()
	w := fixed.I(width(fs.label, "Övriga områden"))
	for _, tc := range []struct{ in, want string }{
		{"Bäckby", "Bäckby"},
		{"Övriga områden", "Övriga områden"},
		{"  Övriga\n områden ", "Övriga områden"},
		{"Övriga områden (<3 vardera)", "Övriga områden|(<3 vardera)"},
		{"Övriga områden (<3 vardera) i hela Västerås", "Övriga områden|(<3 vardera) i…"},
		{"", ""},
	} {
		got := wrap(fs.label, tc.in, w, 2)
		if strings.Join(got, "|") != tc.want {
			t.Errorf("wrap(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{strings.Repeat("Å", 50), strings.Repeat("ab ", 5000), strings.Repeat("🚨", 40)} {
		got := wrap(fs.label, in, w, 2)
		if len(got) != 2 || !strings.HasSuffix(got[1], "…") {
			t.Errorf("wrap(%.20q…) = %q, want two lines ending with …", in, got)
		}
		for _, line := range got {
			if font.MeasureString(fs.label, line) > w {
				t.Errorf("wrap(%.20q…): %q is wider than the column", in, line)
			}
		}
	}
}

// TestChartConcurrent: charts drawn at once are the same as one drawn alone (each call has
// its own fonts and faces; go test -race checks that nothing else is shared).
func TestChartConcurrent(t *testing.T) {
	want, err := Chart(sampleText, sampleAreas, sampleTimes)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			got, err := Chart(sampleText, sampleAreas, sampleTimes)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("a chart drawn concurrently differs (err %v)", err)
			}
		})
	}
	wg.Wait()
}

// BenchmarkChart draws a realistic week: four areas and five times of day.
func BenchmarkChart(b *testing.B) {
	text := ChartText{Title: "Lägesbild vecka 46, 2026 (2026-11-09 till 2026-11-15)", Areas: "Rapporter per område", Times: "Rapporter per tid på dygnet", Count: "Antal rapporter"}
	areas := []Bar{{"Bäckby", 6}, {"Centrum", 5}, {"Skallberget", 3}, {"Övriga områden (<3 vardera)", 7}}
	times := []Bar{{"Morgon (06–10)", 1}, {"Dag (10–17)", 1}, {"Kväll (17–22)", 10}, {"Natt (22–06)", 8}, {"Inte angivet", 1}}
	for b.Loop() {
		if _, err := Chart(text, areas, times); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPalettedIsExact: the paletted copy that is encoded keeps every colour a chart draws
// (the greys from the ink to white and the bar colours) exactly, and maps others to the
// nearest.
func TestPalettedIsExact(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 256, 2))
	for x := range 256 {
		img.SetRGBA(x, 0, color.RGBA{R: uint8(x), G: uint8(x), B: uint8(x), A: 0xff})
	}
	img.SetRGBA(0, 1, rgb(areaColour))
	img.SetRGBA(1, 1, rgb(timeColour))
	img.SetRGBA(2, 1, rgb(areaColour))
	img.SetRGBA(3, 1, rgb(0x1f608a)) // not drawn: nearest is the area colour
	p := paletted(img, rgb(areaColour), rgb(timeColour))
	for x := inkColour & 0xff; x < 256; x++ {
		if got, want := color.RGBAModel.Convert(p.At(x, 0)), img.RGBAAt(x, 0); got != want {
			t.Errorf("grey %#x became %v", x, got)
		}
	}
	if got := color.RGBAModel.Convert(p.At(0, 0)); got != rgb(inkColour) {
		t.Errorf("black became %v, want the ink", got)
	}
	for x, want := range []color.RGBA{rgb(areaColour), rgb(timeColour), rgb(areaColour), rgb(areaColour)} {
		if got := color.RGBAModel.Convert(p.At(x, 1)); got != want {
			t.Errorf("pixel %d of the colours became %v, want %v", x, got, want)
		}
	}
}
