package lagesbild

import (
	"bytes"
	"image/png"
	"os"
	"testing"
)

func TestChartIsAPNG(t *testing.T) {
	b, err := Chart(ChartText{Title: "Lägesbild 2026-W48", Areas: "Rapporter per område", Times: "Per tid på dygnet", Count: "Antal"},
		[]Bar{{"Bäckby", 7}, {"Centrum", 4}, {"Övriga områden (<3 vardera)", 3}},
		[]Bar{{"Morgon", 1}, {"Dag", 2}, {"Kväll", 8}, {"Natt", 3}})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() < 600 || r.Dy() < 300 {
		t.Errorf("chart is %dx%d, too small to read", r.Dx(), r.Dy())
	}
	if path := os.Getenv("TRYGG_CHART_OUT"); path != "" {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Chart(ChartText{}, nil, nil); err != nil {
		t.Errorf("an empty week: %v", err)
	}
}
