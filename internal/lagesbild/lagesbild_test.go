package lagesbild

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestWeekBounds(t *testing.T) {
	for _, tc := range []struct {
		week       string
		start, end string
		wantErr    bool
	}{
		{week: "2026-W48", start: "2026-11-23", end: "2026-11-30"},
		{week: "2026-W01", start: "2025-12-29", end: "2026-01-05"},
		{week: "2020-W53", start: "2020-12-28", end: "2021-01-04"},
		{week: "2025-W53", wantErr: true}, // 2025 has 52 weeks
		{week: "2026-W53", start: "2026-12-28", end: "2027-01-04"},
		{week: "2026-W00", wantErr: true},
		{week: "2026W48", wantErr: true},
		{week: "26-W48", wantErr: true},
		{week: "", wantErr: true},
	} {
		t.Run(tc.week, func(t *testing.T) {
			start, end, err := WeekBounds(tc.week)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("WeekBounds(%q) = %v, want an error", tc.week, start)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := start.Format(time.DateOnly); got != tc.start {
				t.Errorf("start = %s, want %s", got, tc.start)
			}
			if got := end.Format(time.DateOnly); got != tc.end {
				t.Errorf("end = %s, want %s", got, tc.end)
			}
			if Week(start) != tc.week || Week(end.Add(-time.Second)) != tc.week {
				t.Errorf("Week of the bounds is not %s", tc.week)
			}
		})
	}
	if p, _ := PrevWeek("2026-W01"); p != "2025-W52" {
		t.Errorf("PrevWeek(2026-W01) = %s, want 2025-W52", p)
	}
}

// sample is a known set of reports over two weeks.
func sample() (week, prev []Event) {
	ev := func(date, area, place, kind, tod, days string) Event {
		d, _ := time.Parse(time.DateOnly, date)
		return Event{Week: Week(d), Date: date, Area: area, Place: place, Kind: kind, Time: tod, Days: days, Lang: "sv", Channel: "sms"}
	}
	week = []Event{
		ev("2026-11-27", "backby", "backby", "drugs", "evening", "weekday"),
		ev("2026-11-23", "centrum", "resecentrum", "drugs", "night", "weekday"),
		ev("2026-11-28", "backby", "backby", "gathering", "evening", "weekend"),
		ev("2026-11-24", "backby", "backby", "drugs", "evening", ""),
		ev("2026-11-24", "centrum", "resecentrum", "", "night", "weekday"),
		ev("2026-11-25", "vallby", "vallby", "dark", "", ""),
		ev("2026-11-29", "centrum", "stora_torget", "harassment", "day", "weekend"),
		ev("2026-11-26", "", "", "other", "morning", "weekday"),
	}
	prev = []Event{
		ev("2026-11-17", "backby", "backby", "drugs", "evening", "weekday"),
		ev("2026-11-18", "centrum", "resecentrum", "drugs", "night", "weekday"),
		ev("2026-11-19", "centrum", "resecentrum", "violence", "night", "weekday"),
		ev("2026-11-20", "centrum", "resecentrum", "violence", "night", "weekday"),
		ev("2026-11-21", "centrum", "resecentrum", "violence", "night", "weekend"),
		ev("2026-11-21", "centrum", "stora_torget", "violence", "night", "weekend"),
	}
	return week, prev
}

func TestCSVGolden(t *testing.T) {
	week, _ := sample()
	names := Names{
		Areas:  map[string]string{"backby": "Bäckby", "centrum": "Centrum", "vallby": "Vallby"},
		Places: map[string]string{"backby": "Bäckby", "resecentrum": "Resecentrum", "stora_torget": "Stora torget", "vallby": "Vallby"},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, week, names); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "2026-W48.csv")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("CSV differs from %s:\n%s", golden, buf.String())
	}
	// The same reports in another order give the same file.
	rev := append([]Event(nil), week...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	var again bytes.Buffer
	if err := WriteCSV(&again, rev, names); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), want) {
		t.Error("CSV depends on the order the reports came in")
	}
}

func TestSummarizeSuppressesSmallNumbers(t *testing.T) {
	week, prev := sample()
	s := Summarize("2026-W48", week, prev)
	if s.Total != 8 || s.PrevTotal != 6 || s.PrevWeek != "2026-W47" {
		t.Fatalf("totals = %d/%d (%s), want 8/6 (2026-W47)", s.Total, s.PrevTotal, s.PrevWeek)
	}
	areas := map[string]Count{}
	for _, c := range s.Areas {
		areas[c.Key] = c
	}
	if c := areas["backby"]; c.N != 3 || c.Prev != 1 || Shown(c.N) != "3" || Change(c) != "" {
		t.Errorf("backby = %+v shown %s change %q; want 3 shown, no change (last week <3)", c, Shown(c.N), Change(c))
	}
	if c := areas["centrum"]; c.N != 3 || c.Prev != 5 || Change(c) != "-2" {
		t.Errorf("centrum = %+v change %q, want 3, prev 5, -2", c, Change(c))
	}
	if c := areas["vallby"]; c.N != 1 || Shown(c.N) != "<3" {
		t.Errorf("vallby = %+v shown %q, want <3", c, Shown(c.N))
	}
	if s.Areas[0].N < s.Areas[len(s.Areas)-1].N {
		t.Error("areas are not sorted most first")
	}
	var order []string
	for _, c := range s.Times {
		order = append(order, c.Key)
	}
	if got := strings.Join(order, ","); got != "morning,day,evening,night," {
		t.Errorf("times in order %q, want the order of a day with skipped last", got)
	}
	if len(s.Places) > TopPlaces || s.Places[0].Key != "backby" {
		t.Errorf("busiest places = %+v", s.Places)
	}
	for _, n := range []int{0, 1, 2} {
		if Shown(n) != "<3" {
			t.Errorf("Shown(%d) = %s", n, Shown(n))
		}
	}
}

func TestRecorderStoresNoText(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 21, 30, 0, 0, time.UTC)
	m := NewMemory(0, func() time.Time { return now })
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	rec := Recorder{Store: m, Location: loc}
	secret := "Jag heter Anna och bor på Bäckbygatan 3, 0701234567"
	events := []bot.Event{
		{Kind: bot.EventReferred, Route: "boj"},
		{Kind: bot.EventUnsafePlace, Lang: "sv", Topic: secret, Report: &bot.PlaceReport{Place: "backby", Area: "backby", Time: "evening", Days: "weekend", Kind: "drugs"}},
		{Kind: bot.EventUnsafePlace, Lang: "sv"}, // no report: nothing stored
	}
	if err := rec.Record(ctx, Origin{Channel: "sms", Scope: "s1", Client: "s1"}, now, events); err != nil {
		t.Fatal(err)
	}
	got, err := m.Week(ctx, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("stored %d events, want 1", len(got))
	}
	want := Event{Week: "2026-W48", Date: "2026-11-28", Area: "backby", Place: "backby", Kind: "drugs", Time: "evening", Days: "weekend", Lang: "sv", Channel: "sms"}
	if got[0] != want {
		t.Errorf("stored %+v, want %+v", got[0], want)
	}
	raw, _ := json.Marshal(got)
	for _, word := range strings.Fields(secret) {
		if len(word) > 3 && strings.Contains(strings.ToLower(string(raw)), strings.ToLower(strings.Trim(word, ","))) {
			t.Errorf("stored event contains %q from the resident's words: %s", word, raw)
		}
	}
}

func TestMemoryRetention(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	m := NewMemory(14*24*time.Hour, func() time.Time { return now })
	old := Event{Week: "2026-W40", Date: "2026-10-01"}
	if err := m.Add(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := m.Add(ctx, Event{Week: "2026-W48", Date: "2026-11-28"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Week(ctx, "2026-W40"); len(got) != 0 {
		t.Errorf("week 40 still has %d reports after the retention", len(got))
	}
	if got, _ := m.Week(ctx, "2026-W48"); len(got) != 1 {
		t.Errorf("week 48 has %d reports, want 1", len(got))
	}
	if err := m.Add(ctx, Event{Week: "bad"}); err == nil {
		t.Error("a report with a bad week was stored")
	}
}

// TestRecordsStore: reports kept in the shared store come back by week, in order, and
// expire with the retention.
func TestRecordsStore(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	mem := store.NewMemory(clock)
	s := RecordsStore{Records: mem, Retention: 48 * time.Hour, Now: clock}
	week, _ := sample()
	for _, e := range week {
		now = now.Add(time.Second)
		if err := s.Add(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Week(ctx, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(week) {
		t.Fatalf("got %d reports, want %d", len(got), len(week))
	}
	for i := range week {
		if got[i] != week[i] {
			t.Errorf("report %d = %+v, want %+v (in the order they came)", i, got[i], week[i])
		}
	}
	if other, _ := s.Week(ctx, "2026-W47"); len(other) != 0 {
		t.Errorf("week 47 has %d reports", len(other))
	}
	now = now.Add(72 * time.Hour)
	if gone, _ := s.Week(ctx, "2026-W48"); len(gone) != 0 {
		t.Errorf("%d reports outlived the retention", len(gone))
	}
	if err := s.Add(ctx, Event{Week: "soon"}); err == nil {
		t.Error("a report with a bad week was stored")
	}
}

// TestSmallCountsAreInNameOrder: areas and places under MinShown are listed by id, so
// their order does not tell 2 from 1, and the busiest-places cut does not choose by it;
// reports without a place are not among the busiest places.
func TestSmallCountsAreInNameOrder(t *testing.T) {
	var week []Event
	add := func(area string, n int) {
		for range n {
			week = append(week, Event{Week: "2026-W48", Date: "2026-11-24", Area: area, Place: area})
		}
	}
	add("vallby", 2)
	add("backby", 1)
	add("centrum", 4)
	add("raby", 2)
	add("gryta", 1)
	add("hammarby", 1)
	add("irsta", 2)
	add("", 5) // reports without a place: not a place among the busiest
	s := Summarize("2026-W48", week, nil)
	var areas, places []string
	for _, c := range s.Areas {
		areas = append(areas, c.Key)
	}
	for _, c := range s.Places {
		places = append(places, c.Key)
	}
	if got := strings.Join(areas, ","); got != ",centrum,backby,gryta,hammarby,irsta,raby,vallby" {
		t.Errorf("areas in order %s", got)
	}
	if got := strings.Join(places, ","); got != "centrum,backby,gryta,hammarby,irsta" {
		t.Errorf("busiest places %s", got)
	}
}

// TestRecorderAgainstFaking: with a Limiter the Recorder stores one report per
// conversation, place and kind a day, and at most ClientCap a day per client: the SMS
// sender (the conversation's scope) or the web chat's client; the next day counts anew.
func TestRecorderAgainstFaking(t *testing.T) {
	ctx := context.Background()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 20, 0, 0, 0, loc) // a Tuesday
	lim := store.NewMemory(func() time.Time { return now })
	m := NewMemory(0, func() time.Time { return now })
	var counted []string
	rec := Recorder{Store: m, Location: loc, Limiter: lim, ClientCap: 3, Key: []byte("k"),
		Counted: func(channel, result string) { counted = append(counted, channel+":"+result) }}
	report := func(kind, place string) []bot.Event {
		return []bot.Event{{Kind: bot.EventUnsafePlace, Lang: "sv", Report: &bot.PlaceReport{Place: place, Area: "centrum", Kind: kind, Time: "night"}}}
	}
	stored := func() int {
		t.Helper()
		evs, err := m.Week(ctx, Week(now))
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	sms := Origin{Channel: "sms", Scope: "sender-1"}
	record := func(from Origin, kind, place string) {
		t.Helper()
		if err := rec.Record(ctx, from, now, report(kind, place)); err != nil {
			t.Fatal(err)
		}
	}
	record(sms, "drugs", "resecentrum")
	record(sms, "drugs", "resecentrum")
	if n := stored(); n != 1 {
		t.Fatalf("the same report twice from one conversation stored %d times, want 1", n)
	}
	// Another kind counts; past the sender's cap (duplicates count toward it) nothing does.
	record(sms, "dark", "resecentrum")
	record(sms, "violence", "stora_torget")
	if n := stored(); n != 2 {
		t.Errorf("one SMS sender: %d reports stored, want 2 (the third past the cap of 3)", n)
	}
	// Web sessions of one client share its cap; another client has its own.
	for i := range 10 {
		record(Origin{Channel: "web", Scope: "session-" + string(rune('a'+i)), Client: "client-1"}, "drugs", "resecentrum")
	}
	if n := stored(); n != 5 {
		t.Errorf("ten web sessions of one client: %d reports stored in all, want 2+3", n)
	}
	record(Origin{Channel: "web", Scope: "session-z", Client: "client-2"}, "drugs", "resecentrum")
	if n := stored(); n != 6 {
		t.Errorf("another client: %d reports stored, want 6", n)
	}
	// The next day the conversation's report counts again.
	now = now.Add(5 * time.Hour)
	record(sms, "drugs", "resecentrum")
	if n := stored(); n != 7 {
		t.Errorf("the next day: %d reports stored, want 7", n)
	}
	want := map[string]int{"sms:recorded": 3, "sms:duplicate": 1, "sms:capped": 1, "web:recorded": 4, "web:capped": 7}
	got := map[string]int{}
	for _, c := range counted {
		got[c]++
	}
	if len(got) != len(want) {
		t.Errorf("counted %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("counted %s %d times, want %d (all: %v)", k, got[k], n, got)
		}
	}
	// Nothing the Limiter keeps names the place in clear.
	if raw := fmt.Sprintf("%+v", lim); strings.Contains(raw, "resecentrum") {
		t.Errorf("the conversation's records name the place: %s", raw)
	}
}

// TestFindBurst: a jump of web reports over BurstFactor times the average of the weeks
// before, at least BurstMin of them, is a burst; SMS reports never make one.
func TestFindBurst(t *testing.T) {
	reports := func(channel string, n int) []Event {
		out := make([]Event, n)
		for i := range out {
			out[i] = Event{Week: "2026-W48", Channel: channel}
		}
		return out
	}
	quiet := [][]Event{reports("web", 2), reports("web", 1), reports("web", 3), reports("web", 2)}
	for _, tt := range []struct {
		name    string
		week    []Event
		earlier [][]Event
		burst   bool
	}{
		{"206 web reports after a quiet month", reports("web", 206), quiet, true},
		{"just over three times", reports("web", 10), [][]Event{reports("web", 3), nil, nil, nil}, true},
		{"three times exactly", reports("web", 12), [][]Event{reports("web", 4), reports("web", 4), reports("web", 4), reports("web", 4)}, false},
		{"under the minimum", reports("web", 9), nil, false},
		{"SMS reports", reports("sms", 206), quiet, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := FindBurst(tt.week, tt.earlier)
			if (b != nil) != tt.burst {
				t.Fatalf("burst = %+v, want %v", b, tt.burst)
			}
			if b != nil && (b.Channel != "web" || b.N != countChannel(tt.week, "web")) {
				t.Errorf("burst = %+v", b)
			}
		})
	}
}
