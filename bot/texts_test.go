package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
)

// ages are the age groups with a message that sets each one.
var ages = []struct {
	group bot.AgeGroup
	state bot.State
}{
	{bot.AgeUnknown, bot.State{}},
	{bot.AgeChild, bot.State{AgeMin: 15, AgeMax: 15}},
	{bot.AgeYouth, bot.State{AgeMin: 19, AgeMax: 19}},
	{bot.AgeAdult, bot.State{AgeMin: 40, AgeMax: 40}},
}

// TestNotUnderstoodIsKind: a message trygg does not understand may follow a disclosure, so
// the reply never opens with an apology: it thanks the resident for writing, gives 112, the
// numbers for the age known (BRIS for a child) and the way to the menu.
func TestNotUnderstoodIsKind(t *testing.T) {
	e := newEngine(t)
	thanks := map[string]string{"sv": "Tack för att du skriver", "en": "Thank you for writing", "fi": "Kiitos, että kirjoitit"}
	menu := map[string]string{"sv": "MENY", "en": "MENU", "fi": "VALIKKO"}
	for _, lang := range e.Langs() {
		for _, a := range ages {
			st := a.state
			st.Lang = lang
			res := e.Turn(st, bot.Message{Text: "qwzx plok"}, testNow)
			if !res.HasEvent(bot.EventNotUnderstood) || len(res.Replies) != 1 {
				t.Fatalf("%s/%s: %+v, want the fallback alone", lang, a.group, res)
			}
			text := res.Replies[0].Text
			for _, sorry := range []string{"Förlåt", "Ursäkta", "Sorry", "Anteeksi", "Valitettavasti", "Tyvärr"} {
				if strings.HasPrefix(text, sorry) {
					t.Errorf("%s/%s opens with an apology: %q", lang, a.group, text)
				}
			}
			want := []string{thanks[lang], "112", menu[lang]}
			switch a.group {
			case bot.AgeChild:
				want = append(want, bris, bojYouth)
			case bot.AgeYouth:
				want = append(want, bojYouth)
			case bot.AgeAdult:
				want = append(want, bojAdult)
			default:
				want = append(want, bojYouth, bojAdult)
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("%s/%s lacks %q: %q", lang, a.group, w, text)
				}
			}
			checkTurn(t, "qwzx plok", res)
		}
	}
}

// TestSupportPromises: the main support replies say that Brottsofferjouren's support is
// free, that the people who answer promise not to pass on what is told, and (but for a
// child, who is told of BRIS instead) that no police report is needed.
func TestSupportPromises(t *testing.T) {
	e := newEngine(t)
	words := map[string][]string{
		"sv": {"gratis", "lovar att inte föra vidare", "behöver inte ha anmält"},
		"en": {"free", "promise not to pass on", "do not need to have reported"},
		"fi": {"maksu", "lupaavat pitää kertomasi omana tietonaan", "rikosilmoitusta tarvita"},
	}
	for _, lang := range e.Langs() {
		for _, a := range ages {
			st := a.state
			st.Lang, st.LangKnown, st.Node = lang, true, "menu"
			res := e.Turn(st, bot.Message{Text: "1"}, testNow)
			if len(res.Replies) == 1 && res.Replies[0].MessageID == "ask_age" { // age unknown: skip the question
				res = e.Turn(res.State, bot.Message{Text: map[string]string{"sv": "hoppa", "en": "skip", "fi": "ohita"}[lang]}, testNow)
			}
			text := res.Text()
			for i, w := range words[lang] {
				if i == 2 && a.group == bot.AgeChild {
					if !strings.Contains(text, bris) {
						t.Errorf("%s/%s: no BRIS for a child: %q", lang, a.group, text)
					}
					continue
				}
				if !strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
					t.Errorf("%s/%s lacks %q: %q", lang, a.group, w, text)
				}
			}
		}
	}
}

// TestTextsSayTheConfiguration: the menu names the staffed hours and what happens outside
// them, the handoff offer who reads and that staff must act if a child is harmed, the
// privacy text how long things are kept, all from the configuration.
func TestTextsSayTheConfiguration(t *testing.T) {
	set := loadSet(t)
	weekdays := [7]bool{}
	for d := time.Monday; d <= time.Friday; d++ {
		weekdays[d] = true
	}
	configured := &flows.TextConfig{
		Staffed:          []flows.Opening{{Days: weekdays, Start: 8 * 60, End: 15*60 + 30}},
		HandoffReaders:   map[string]string{"": "personal från Brottsofferjouren"},
		LagesbildKept:    90 * 24 * time.Hour,
		ConversationKept: 12 * time.Hour,
	}
	e := bot.New(set, bot.Options{Texts: configured})
	never := bot.New(set, bot.Options{Texts: &flows.TextConfig{LagesbildKept: 730 * 24 * time.Hour, ConversationKept: 24 * time.Hour}})
	tests := []struct {
		lang                              string
		hours, outside, child, kept, conv string
	}{
		{"sv", "vardagar 8-15.30", "annars får du nummer att ringa", "måste agera om ett barn far illa", "90 dygn", "12 timmar"},
		{"en", "weekdays 08:00-15:30", "at other times you get numbers to call", "must act if a child is being harmed", "90 days", "12 hours"},
		{"fi", "arkisin klo 8-15.30", "muulloin saat puhelinnumerot", "jos lasta kohdellaan kaltoin", "90 vuorokautta", "12 tuntia"},
	}
	for _, tt := range tests {
		st := bot.State{Lang: tt.lang, LangKnown: true}
		word := map[string]string{"sv": "MENY", "en": "MENU", "fi": "VALIKKO"}[tt.lang]
		menu := e.Turn(st, bot.Message{Text: word}, testNow).Text()
		if !strings.Contains(menu, tt.hours) || !strings.Contains(menu, tt.outside) {
			t.Errorf("%s menu lacks %q and %q: %q", tt.lang, tt.hours, tt.outside, menu)
		}
		if m := never.Turn(st, bot.Message{Text: word}, testNow).Text(); strings.Contains(m, tt.outside) {
			t.Errorf("%s menu names hours though staff are never there: %q", tt.lang, m)
		}
		offer := e.Turn(st, bot.Message{Text: "PERSON", Staffed: true}, testNow).Text()
		if !strings.Contains(offer, "personal från Brottsofferjouren") || !strings.Contains(offer, tt.child) {
			t.Errorf("%s handoff offer lacks the readers or the child: %q", tt.lang, offer)
		}
		off := e.Turn(st, bot.Message{Text: "PERSON"}, testNow).Text()
		if !strings.Contains(off, tt.hours) {
			t.Errorf("%s: off duty, the reply does not say when staff are there: %q", tt.lang, off)
		}
		privacy := e.Turn(st, bot.Message{Text: map[string]string{"sv": "vad sparar ni om mig", "en": "what do you store about me", "fi": "mitä tallennatte minusta"}[tt.lang]}, testNow)
		if p := privacy.Text(); !strings.Contains(p, tt.kept) || !strings.Contains(p, tt.conv) || !strings.Contains(p, "Slack") {
			t.Errorf("%s privacy (%v) lacks %q, %q or Slack: %q", tt.lang, privacy.Replies, tt.kept, tt.conv, p)
		}
	}
}
