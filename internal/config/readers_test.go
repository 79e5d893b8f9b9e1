package config

import (
	"maps"
	"strings"
	"testing"
)

func TestParseHandoffReaders(t *testing.T) {
	tests := []struct {
		spec    string
		want    map[string]string
		wantErr string
	}{
		{spec: "", want: nil},
		{spec: "  personal från Brottsofferjouren Västerås ", want: map[string]string{"": "personal från Brottsofferjouren Västerås"}},
		{spec: "sv=personal från kommunen; en=staff at the city;fi=kaupungin työntekijä", want: map[string]string{"sv": "personal från kommunen", "en": "staff at the city", "fi": "kaupungin työntekijä"}},
		{spec: "SV = personal", want: map[string]string{"sv": "personal"}},
		{spec: "personal, ring 021-41 32 60", wantErr: "has digits"},
		{spec: "sv=", wantErr: "is empty"},
		{spec: "sv=personal; sv=kommunen", wantErr: "language sv is given twice"},
		{spec: "svenska=personal", wantErr: "is not lang=phrase"},
		{spec: "sv=personal; en=staff \U0001F600", wantErr: "outside GSM-7"},
		{spec: "sv={{.X}}", wantErr: "braces"},
		{spec: strings.Repeat("a", MaxReadersLen+1), wantErr: "longer than"},
	}
	for _, tt := range tests {
		got, err := ParseHandoffReaders(tt.spec)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseHandoffReaders(%q) error = %v, want %q", tt.spec, err, tt.wantErr)
			}
		case err != nil:
			t.Errorf("ParseHandoffReaders(%q): %v", tt.spec, err)
		case !maps.Equal(got, tt.want):
			t.Errorf("ParseHandoffReaders(%q) = %v, want %v", tt.spec, got, tt.want)
		}
	}
}

func TestLoadHandoffReaders(t *testing.T) {
	_, err := Load(func(k string) string {
		if k == "TRYGG_HANDOFF_READERS" {
			return "sv=112"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "TRYGG_HANDOFF_READERS: sv=\"112\" has digits") {
		t.Errorf("Load error = %v, want one naming TRYGG_HANDOFF_READERS", err)
	}
	c, err := Load(func(k string) string {
		if k == "TRYGG_HANDOFF_READERS" {
			return "personal"
		}
		return ""
	})
	if err != nil || c.HandoffReaders[""] != "personal" {
		t.Errorf("Load = %v, %v; want HandoffReaders personal", c.HandoffReaders, err)
	}
}

func TestScheduleOpenings(t *testing.T) {
	s, err := ParseSchedule("mon-fri 09:00-16:00, sat 10:30-14:00")
	if err != nil {
		t.Fatal(err)
	}
	o := s.Openings()
	if len(o) != 2 || !o[0].Days[1] || !o[0].Days[5] || o[0].Days[6] || o[0].Start != 540 || o[0].End != 960 || !o[1].Days[6] || o[1].Start != 630 {
		t.Errorf("Openings = %+v", o)
	}
	if len(Schedule{}.Openings()) != 0 {
		t.Error("the zero Schedule has openings")
	}
}
