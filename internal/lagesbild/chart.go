package lagesbild

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
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

// Chart draws the week as a PNG: reports per area and per time of day, side by side, each
// bar with its count at its end. The caller passes areas already suppressed (areas under
// MinShown merged into one bar). The picture grows taller with the number of bars, so
// that every label stays readable.
func Chart(text ChartText, areas, times []Bar) ([]byte, error) {
	const w = 24 * vg.Centimeter
	rows := max(len(areas), len(times), 1)
	h := max(12*vg.Centimeter, 4*vg.Centimeter+vg.Length(rows)*vg.Centimeter)
	// The bars take about 60% of the height of their rows.
	barWidth := min(vg.Points(36), 0.6*(h-4*vg.Centimeter)/vg.Length(rows))
	left, err := barPlot(text.Areas, text.Count, areas, barWidth, color.RGBA{R: 0x1f, G: 0x5f, B: 0x8b, A: 0xff})
	if err != nil {
		return nil, err
	}
	right, err := barPlot(text.Times, text.Count, times, barWidth, color.RGBA{R: 0x8b, G: 0x4a, B: 0x1f, A: 0xff})
	if err != nil {
		return nil, err
	}
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(120), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	title := plot.New()
	title.Title.Text = text.Title
	title.Title.TextStyle.Font.Size = vg.Points(14)
	title.HideAxes()
	header, body := splitTop(dc, vg.Points(24))
	title.Draw(header)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align([][]*plot.Plot{{left, right}}, tiles, body)
	left.Draw(canvases[0][0])
	right.Draw(canvases[0][1])
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	return buf.Bytes(), nil
}

// splitTop cuts a canvas into a header of height h and the rest.
func splitTop(c draw.Canvas, h vg.Length) (draw.Canvas, draw.Canvas) {
	header, body := c, c
	header.Min.Y = c.Max.Y - h
	body.Max.Y = c.Max.Y - h
	return header, body
}

// barPlot draws horizontal bars of the given width, the first bar at the top, with the
// count at the end of each.
func barPlot(title, axis string, bars []Bar, width vg.Length, fill color.Color) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = axis
	p.X.Min = 0
	if len(bars) == 0 {
		bars = []Bar{{Label: "-", N: 0}}
	}
	values := make(plotter.Values, len(bars))
	labels := make([]string, len(bars))
	for i, b := range bars {
		// Bars are drawn bottom-up: reverse so the first is on top.
		values[len(bars)-1-i] = float64(b.N)
		labels[len(bars)-1-i] = b.Label
	}
	chart, err := plotter.NewBarChart(values, width)
	if err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	chart.Horizontal = true
	chart.Color = fill
	chart.LineStyle.Width = 0
	p.Add(chart)
	counts := plotter.XYLabels{XYs: make(plotter.XYs, len(values)), Labels: make([]string, len(values))}
	for i, v := range values {
		counts.XYs[i] = plotter.XY{X: v, Y: float64(i)}
		counts.Labels[i] = fmt.Sprint(v)
	}
	numbers, err := plotter.NewLabels(counts)
	if err != nil {
		return nil, fmt.Errorf("draw chart: %w", err)
	}
	for i := range numbers.TextStyle {
		numbers.TextStyle[i].YAlign = draw.YCenter
		numbers.TextStyle[i].Font.Size = vg.Points(11)
	}
	numbers.Offset = vg.Point{X: vg.Points(4)}
	p.Add(numbers)
	p.NominalY(labels...)
	max := 1.0
	for _, v := range values {
		if v > max {
			max = v
		}
	}
	p.X.Max = max * 1.1
	p.X.Tick.Marker = integerTicks{}
	return p, nil
}

// integerTicks marks whole numbers only: reports come in whole numbers.
type integerTicks struct{}

// Ticks returns ticks at whole numbers between min and max, at most about ten, in steps
// of 1, 2 or 5 times a power of ten.
func (integerTicks) Ticks(min, max float64) []plot.Tick {
	step, pow := 1, 1
	for i := 0; (max-min)/float64(step) > 10; i++ {
		step = []int{2, 5, 10}[i%3] * pow
		if i%3 == 2 {
			pow *= 10
		}
	}
	var ticks []plot.Tick
	for v := 0; float64(v) <= max; v += step {
		if float64(v) >= min {
			ticks = append(ticks, plot.Tick{Value: float64(v), Label: fmt.Sprint(v)})
		}
	}
	return ticks
}
