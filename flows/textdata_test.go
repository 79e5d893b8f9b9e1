package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/flows"
)

// TestTextData renders the configuration into each language's words.
func TestTextData(t *testing.T) {
	set := realFiles(t).load(t)
	days := func(ds ...time.Weekday) [7]bool {
		var out [7]bool
		for _, d := range ds {
			out[d] = true
		}
		return out
	}
	weekdays := days(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)
	tests := []struct {
		lang string
		tc   flows.TextConfig
		want map[string]string
	}{
		{"sv", flows.SampleTextConfig(), map[string]string{"StaffedHours": "vardagar 9-16", "HandoffReaders": "en person i personalen", "LagesbildKept": "2 år", "ConversationKept": "ett dygn"}},
		{"en", flows.SampleTextConfig(), map[string]string{"StaffedHours": "weekdays 09:00-16:00", "HandoffReaders": "a member of staff", "LagesbildKept": "2 years", "ConversationKept": "a day"}},
		{"fi", flows.SampleTextConfig(), map[string]string{"StaffedHours": "arkisin klo 9-16", "LagesbildKept": "2 vuotta", "ConversationKept": "vuorokauden"}},
		{"sv", flows.TextConfig{
			Staffed:          []flows.Opening{{Days: days(time.Monday, time.Tuesday, time.Wednesday, time.Saturday), Start: 8*60 + 30, End: 12 * 60}, {Days: days(time.Sunday), Start: 10 * 60, End: 24 * 60}},
			HandoffReaders:   map[string]string{"": "personal från Brottsofferjouren"},
			LagesbildKept:    90 * 24 * time.Hour,
			ConversationKept: 90 * time.Minute,
		}, map[string]string{"StaffedHours": "mån-ons,lör 8.30-12, sön 10-24", "HandoffReaders": "personal från Brottsofferjouren", "LagesbildKept": "90 dygn", "ConversationKept": "2 timmar"}},
		{"fi", flows.TextConfig{
			Staffed:        []flows.Opening{{Days: days(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday), Start: 0, End: 24 * 60}},
			HandoffReaders: map[string]string{"": "personal", "fi": "kaupungin työntekijä"},
			LagesbildKept:  365 * 24 * time.Hour,
		}, map[string]string{"StaffedHours": "joka päivä klo 0-24", "HandoffReaders": "kaupungin työntekijä", "LagesbildKept": "vuoden"}},
		{"en", flows.TextConfig{Staffed: nil, HandoffReaders: map[string]string{"sv": "personal"}}, map[string]string{"StaffedHours": "", "HandoffReaders": "a member of staff"}},
		{"en", flows.TextConfig{Staffed: []flows.Opening{{Days: weekdays, Start: 9 * 60, End: 16*60 + 30}}}, map[string]string{"StaffedHours": "weekdays 09:00-16:30"}},
	}
	for _, tt := range tests {
		data, err := set.Catalog.TextData(tt.lang, tt.tc)
		if err != nil {
			t.Errorf("%s: %v", tt.lang, err)
		}
		for k, want := range tt.want {
			if got := data[k]; got != want {
				t.Errorf("%s %s = %q, want %q", tt.lang, k, got, want)
			}
		}
	}
}

// TestCheckConfigured: the sample configuration fits every text; staffed hours too long
// for the welcome do not.
func TestCheckConfigured(t *testing.T) {
	set := realFiles(t).load(t)
	if ps := flows.CheckConfigured(set, flows.SampleTextConfig()); len(ps) > 0 {
		t.Errorf("the sample configuration: %v", ps)
	}
	var many []flows.Opening
	for d := time.Sunday; d <= time.Saturday; d += 2 {
		for h := 6; h < 22; h += 2 {
			var days [7]bool
			days[d] = true
			many = append(many, flows.Opening{Days: days, Start: h*60 + 15, End: h*60 + 75})
		}
	}
	ps := flows.CheckConfigured(set, flows.TextConfig{Staffed: many})
	got := strings.Join(problemStrings(ps), "\n")
	if !strings.Contains(got, "message welcome costs") || !strings.Contains(got, "shorten TRYGG_STAFFED_HOURS") {
		t.Errorf("problems %q, want the welcome too long", got)
	}
}
