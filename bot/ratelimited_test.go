package bot_test

import (
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/gsm7"
	"github.com/vasteras/trygg/locales"
)

// TestRateLimited checks the notice past a message limit in every language: its own text
// (not the fallback), 112 and both Brottsofferjouren numbers, plain GSM-7.
func TestRateLimited(t *testing.T) {
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		t.Fatal(err)
	}
	e := bot.New(set, bot.Options{})
	seen := map[string]bool{}
	for _, lang := range e.Langs() {
		r := e.RateLimited(lang)
		if r.MessageID != "rate_limited" || r.Lang != lang {
			t.Errorf("%s: MessageID, Lang = %q, %q; want rate_limited, %s", lang, r.MessageID, r.Lang, lang)
		}
		for _, n := range []string{"112", "010-567 63 25", "021-41 32 60"} {
			if !strings.Contains(r.Text, n) {
				t.Errorf("%s: %q lacks %s", lang, r.Text, n)
			}
		}
		if info := gsm7.Analyze(r.Text); info.Encoding != gsm7.GSM7 && !isUCS2(lang) {
			t.Errorf("%s: encoding %v, want GSM-7", lang, info.Encoding)
		}
		if seen[r.Text] {
			t.Errorf("%s: same text as another language", lang)
		}
		seen[r.Text] = true
	}
	if len(seen) < 3 {
		t.Errorf("%d languages, want sv, en and fi", len(seen))
	}
}
