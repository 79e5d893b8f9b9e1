package bot_test

import (
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
)

// TestPlaceReport: the report the engine emits holds the place, its area and the fixed
// values the resident chose or said (ids from flows/places.yaml and fixed values), in sv,
// en and fi.
func TestPlaceReport(t *testing.T) {
	stockholm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	e := bot.New(loadSet(t), bot.Options{Location: stockholm})
	saturdayEvening := time.Date(2026, 11, 28, 20, 15, 0, 0, time.UTC) // 21:15 in Västerås
	for _, tc := range []struct {
		name  string
		turns []string
		want  bot.PlaceReport
	}{
		{"sv all at once", []string{"det langas vid resecentrum på kvällarna på helgerna"},
			bot.PlaceReport{Place: "resecentrum", Area: "centrum", Time: "evening", Days: "weekend", Kind: "drugs"}},
		{"sv choices", []string{"jag känner mig otrygg", "i Bäckby", "5", "6"},
			bot.PlaceReport{Place: "backby", Area: "backby", Time: "night", Kind: "dark"}},
		{"sv now", []string{"otryggt i Vallby just nu", "gäng"},
			bot.PlaceReport{Place: "vallby", Area: "vallby", Time: "evening", Days: "weekend", Kind: "gathering"}},
		{"sv skipped", []string{"jag känner mig otrygg", "hoppa", "hoppa", "hoppa"},
			bot.PlaceReport{}},
		{"sv unknown place", []string{"jag känner mig otrygg", "på Storgatan vid min port", "4", "7"},
			bot.PlaceReport{Time: "evening", Kind: "other"}},
		{"en", []string{"I feel unsafe in Råby at night", "drug dealing"},
			bot.PlaceReport{Place: "raby", Area: "raby", Time: "night", Kind: "drugs"}},
		{"fi", []string{"tunnen oloni turvattomaksi Skultunassa", "viikonloppuisin", "3"},
			bot.PlaceReport{Place: "skultuna", Area: "skultuna", Days: "weekend", Kind: "harassment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var st bot.State
			var got *bot.PlaceReport
			for _, text := range tc.turns {
				res := e.Turn(st, bot.Message{Text: text}, saturdayEvening)
				st = res.State
				for _, ev := range res.Events {
					if ev.Kind == bot.EventUnsafePlace {
						got = ev.Report
					}
				}
			}
			if got == nil {
				t.Fatalf("no report after %d turns", len(tc.turns))
			}
			if *got != tc.want {
				t.Errorf("report = %+v, want %+v", *got, tc.want)
			}
			if st.Report != nil {
				t.Errorf("the state still holds a report after it was emitted: %+v", st.Report)
			}
		})
	}
}
