package bot_test

import (
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/gsm7"
)

// TestHandoffFooter checks what goes under every staff message in a handoff, in every
// language and age group: its own text in that language, 112 with "call", the
// Brottsofferjouren number for the age group and never the other one (both, with the age
// rule, while the age is unknown), plain GSM-7 in one segment.
func TestHandoffFooter(t *testing.T) {
	e := newEngine(t)
	tests := []struct {
		group       bot.AgeGroup
		id          string
		want, never []string
	}{
		{bot.AgeUnknown, "handoff_footer", []string{bojYouth, bojAdult}, nil},
		{bot.AgeChild, "handoff_footer_youth", []string{bojYouth}, []string{bojAdult}},
		{bot.AgeYouth, "handoff_footer_youth", []string{bojYouth}, []string{bojAdult}},
		{bot.AgeAdult, "handoff_footer_adult", []string{bojAdult}, []string{bojYouth}},
	}
	call := map[string]string{"sv": "ring 112", "en": "call 112", "fi": "soita 112"}
	for _, lang := range e.Langs() {
		seen := map[string]bool{}
		for _, tt := range tests {
			r := e.HandoffFooter(lang, tt.group)
			name := lang + "/" + string(tt.group)
			if r.MessageID != tt.id || r.Lang != lang {
				t.Errorf("%s: MessageID, Lang = %q, %q; want %s, %s", name, r.MessageID, r.Lang, tt.id, lang)
			}
			if !strings.Contains(r.Text, call[lang]) {
				t.Errorf("%s: %q lacks %q", name, r.Text, call[lang])
			}
			for _, n := range tt.want {
				if !strings.Contains(r.Text, n) {
					t.Errorf("%s: %q lacks %s", name, r.Text, n)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(r.Text, n) {
					t.Errorf("%s: %q gives %s", name, r.Text, n)
				}
			}
			if info := gsm7.Analyze(r.Text); info.Encoding != gsm7.GSM7 && !isUCS2(lang) || info.Segments != 1 {
				t.Errorf("%s: %v in %d segments, want one segment (GSM-7 but in %v)", name, info.Encoding, info.Segments, ucs2Langs)
			}
			seen[r.Text] = true
		}
		if len(seen) != 3 {
			t.Errorf("%s: %d different footers, want 3 (unknown, under 20, 20 and older)", lang, len(seen))
		}
	}
	// A language trygg does not speak gets the default language's footer.
	if r := e.HandoffFooter("ru", bot.AgeUnknown); r.Lang != "sv" || r.Text != e.HandoffFooter("sv", bot.AgeUnknown).Text {
		t.Errorf("footer for ru: %+v; want the Swedish one", r)
	}
	// Each language has its own words, not the default language's.
	if e.HandoffFooter("en", bot.AgeAdult).Text == e.HandoffFooter("sv", bot.AgeAdult).Text ||
		e.HandoffFooter("fi", bot.AgeAdult).Text == e.HandoffFooter("sv", bot.AgeAdult).Text {
		t.Error("the English or Finnish footer is the Swedish one")
	}
}

// TestHandoffWaiting checks what a resident in a handoff gets when staff have not answered
// their latest messages within the wait, in every language and age group: staff have not
// been able to answer yet, the Brottsofferjouren number for the age group and never the
// other one (both while the age is unknown), the word that ends the handoff, 112 with
// "call", plain GSM-7 in at most 3 segments, and never the first-message timeout's text
// (the case stays open).
func TestHandoffWaiting(t *testing.T) {
	e := newEngine(t)
	tests := []struct {
		group       bot.AgeGroup
		id          string
		want, never []string
	}{
		{bot.AgeUnknown, "handoff_waiting", []string{bojYouth, bojAdult}, nil},
		{bot.AgeChild, "handoff_waiting_child", []string{bojYouth, bris}, []string{bojAdult}},
		{bot.AgeYouth, "handoff_waiting_youth", []string{bojYouth}, []string{bojAdult}},
		{bot.AgeAdult, "handoff_waiting_adult", []string{bojAdult}, []string{bojYouth}},
	}
	words := map[string][]string{
		"sv": {"har kunnat svara dig än", "STOPP", "Ring 112"},
		"en": {"have not been able to answer you yet", "STOP", "Call 112"},
		"fi": {"ei ole vielä ehtinyt vastata", "LOPETA", "Soita 112"},
	}
	for _, lang := range e.Langs() {
		seen := map[string]bool{}
		for _, tt := range tests {
			r := e.HandoffWaiting(lang, tt.group)
			name := lang + "/" + string(tt.group)
			if r.MessageID != tt.id || r.Lang != lang {
				t.Errorf("%s: MessageID, Lang = %q, %q; want %s, %s", name, r.MessageID, r.Lang, tt.id, lang)
			}
			for _, n := range append(append([]string{}, words[lang]...), tt.want...) {
				if !strings.Contains(r.Text, n) {
					t.Errorf("%s: %q lacks %q", name, r.Text, n)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(r.Text, n) {
					t.Errorf("%s: %q gives %s", name, r.Text, n)
				}
			}
			if ucs2, budget := smsBudget(lang); gsm7.Analyze(r.Text).Encoding != gsm7.GSM7 && !ucs2 || gsm7.Analyze(r.Text).Segments > budget {
				t.Errorf("%s: %v in %d segments, want the budget of %s", name, gsm7.Analyze(r.Text).Encoding, gsm7.Analyze(r.Text).Segments, lang)
			}
			if timeout := e.EndHandoff(bot.State{Lang: lang, Handoff: true}, "timeout"); r.Text == timeout.Replies[0].Text {
				t.Errorf("%s: the waiting notice is the timeout's text", name)
			}
			seen[r.Text] = true
		}
		if len(seen) != 4 {
			t.Errorf("%s: %d different notices, want 4 (unknown, under 18, under 20, 20 and older)", lang, len(seen))
		}
	}
	if r := e.HandoffWaiting("ru", bot.AgeAdult); r.Lang != "sv" || r.Text != e.HandoffWaiting("sv", bot.AgeAdult).Text {
		t.Errorf("notice for ru: %+v; want the Swedish one", r)
	}
}
