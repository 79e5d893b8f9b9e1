package lagesbild

import (
	"bytes"
	"image/png"
	"os"
	"strings"
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

func TestIntegerTicksAreRound(t *testing.T) {
	for _, tc := range []struct {
		max  float64
		want string
	}{
		{7.7, "0 1 2 3 4 5 6 7"},
		{11, "0 2 4 6 8 10"},
		{44, "0 5 10 15 20 25 30 35 40"},
		{176, "0 20 40 60 80 100 120 140 160"},
		{1100, "0 200 400 600 800 1000"},
	} {
		var got []string
		for _, tick := range (integerTicks{}).Ticks(0, tc.max) {
			got = append(got, tick.Label)
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("ticks to %v: %v, want %s", tc.max, got, tc.want)
		}
	}
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
