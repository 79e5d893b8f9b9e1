package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/gsm7"
)

// TestOmbudNotRegistered checks the message a resident gets when their JA to join the
// Grannsamverkan alerts does not register them: in the flow (no invite held before the
// turn) and from the host (Engine.OmbudNotRegistered, after a lost race) it is the same
// text in the resident's language, says "call 112", names OMBUD and the word that
// answers the offer, fits 2 GSM-7 segments, and emits no ombud_join.
func TestOmbudNotRegistered(t *testing.T) {
	e := newEngine(t)
	now := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	tests := []struct{ lang, offer, yes, call string }{
		{"sv", "OMBUD BK-4821", "ja", "Ring 112"},
		{"en", "ombud bk 4821", "yes", "Call 112"},
		{"fi", "OMBUD BK-4821", "kyllä", "Soita 112"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			host := e.OmbudNotRegistered(tt.lang)
			if host.MessageID != "ombud_not_registered" || host.Lang != tt.lang {
				t.Fatalf("OmbudNotRegistered(%s) = %q in %q", tt.lang, host.MessageID, host.Lang)
			}
			res := e.Turn(bot.State{Lang: tt.lang}, bot.Message{Text: tt.offer, Invite: "backby"}, now)
			if len(res.Replies) != 1 || res.Replies[0].MessageID != "ombud_offer" {
				t.Fatalf("offer: %+v", res.Replies)
			}
			res = e.Turn(res.State, bot.Message{Text: tt.yes}, now)
			if res.HasEvent(bot.EventOmbudJoin) {
				t.Errorf("%q without a held invite emitted ombud_join", tt.yes)
			}
			if len(res.Replies) != 1 || res.Replies[0] != host {
				t.Fatalf("%q without a held invite: %+v, want %+v", tt.yes, res.Replies, host)
			}
			for _, w := range []string{tt.call, "OMBUD", strings.ToUpper(tt.yes)} {
				if !strings.Contains(host.Text, w) {
					t.Errorf("%q lacks %q", host.Text, w)
				}
			}
			if info := gsm7.Analyze(host.Text); info.Encoding != gsm7.GSM7 || info.Segments > 2 {
				t.Errorf("%q: %v, %d segments; want GSM-7 in at most 2", host.Text, info.Encoding, info.Segments)
			}
			t.Logf("%s: %d septets, %d segments", tt.lang, gsm7.Analyze(host.Text).Units, gsm7.Analyze(host.Text).Segments)
		})
	}
	if r := e.OmbudNotRegistered("ru"); r.Lang != "sv" || r.Text != e.OmbudNotRegistered("sv").Text {
		t.Errorf("OmbudNotRegistered(ru) = %+v, want the Swedish text", r)
	}
}

// TestOmbudCodeTellsNoLanguage checks that an invite code whose letters are also a word of
// another language's lexicon ("kk" is Finnish shorthand, "jk" and "rn" English) does not
// switch a new conversation away from Swedish: the offer comes in Swedish.
func TestOmbudCodeTellsNoLanguage(t *testing.T) {
	e := newEngine(t)
	now := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for _, code := range []string{"KK-5980", "JK-1234", "RN-1382", "BK-4821"} {
		res := e.Turn(bot.State{}, bot.Message{Text: "OMBUD " + code, Invite: "backby"}, now)
		if len(res.Replies) != 1 || res.Replies[0].MessageID != "ombud_offer" || res.Replies[0].Lang != "sv" {
			t.Errorf("OMBUD %s: %+v, want the Swedish ombud_offer", code, res.Replies)
		}
	}
}
