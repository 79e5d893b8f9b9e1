package bot_test

import (
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot"
)

// TestMedia checks the reply to a picture or voice note (WhatsApp): alone, it is the media
// text in the conversation's language, with 112 and the Brottsofferjouren number for the
// age, and the conversation stays where it was; with a caption, the caption is answered
// first; in a handoff, a picture without words is not relayed to staff; STOPP with a
// picture still erases.
func TestMedia(t *testing.T) {
	e := newEngine(t)

	// Alone, in every language and age group.
	for _, lang := range e.Langs() {
		for g, want := range map[bot.AgeGroup]string{bot.AgeUnknown: "media", bot.AgeYouth: "media_youth", bot.AgeChild: "media_child", bot.AgeAdult: "media_adult"} {
			st := bot.State{Lang: lang, LangKnown: true, Node: "ask_age"}
			switch g {
			case bot.AgeChild:
				st.AgeMin, st.AgeMax = 12, 12
			case bot.AgeYouth:
				st.AgeMin, st.AgeMax = 18, 18
			case bot.AgeAdult:
				st.AgeMin, st.AgeMax = 40, 40
			}
			res := e.Turn(st, bot.Message{Media: true}, testNow)
			if len(res.Replies) != 1 || res.Replies[0].MessageID != want || res.Replies[0].Lang != lang {
				t.Errorf("%s/%s: replies %+v, want one %s", lang, g, res.Replies, want)
				continue
			}
			if !strings.Contains(res.Replies[0].Text, emergency) {
				t.Errorf("%s/%s: %q lacks 112", lang, g, res.Replies[0].Text)
			}
			if res.State.Node != "ask_age" || res.Erase || len(res.Events) != 0 {
				t.Errorf("%s/%s: state %+v, events %v; want the conversation unchanged", lang, g, res.State, res.Events)
			}
		}
	}

	// A new conversation: Swedish, both numbers.
	res := e.Turn(bot.State{}, bot.Message{Media: true}, testNow)
	if len(res.Replies) != 1 || res.Replies[0].MessageID != "media" || res.Replies[0].Lang != "sv" ||
		!strings.Contains(res.Replies[0].Text, bojYouth) || !strings.Contains(res.Replies[0].Text, bojAdult) {
		t.Errorf("new conversation: %+v", res.Replies)
	}

	// A caption is read as usual, the media reply after its answer.
	res = e.Turn(bot.State{}, bot.Message{Text: "hej", Media: true}, testNow)
	if n := len(res.Replies); n < 2 || res.Replies[0].MessageID != "welcome" || res.Replies[n-1].MessageID != "media" {
		t.Errorf("caption: replies %v", ids(res))
	}

	// In a handoff, a picture alone goes nowhere; with a caption, the caption is relayed.
	in := bot.State{Lang: "sv", Handoff: true}
	res = e.Turn(in, bot.Message{Media: true}, testNow)
	if res.HasEvent(bot.EventRelay) || len(res.Replies) != 1 || res.Replies[0].MessageID != "media" || !res.State.Handoff {
		t.Errorf("handoff, picture alone: %v, events %v", ids(res), res.Events)
	}
	res = e.Turn(in, bot.Message{Text: "här är bilden", Media: true}, testNow)
	if !res.HasEvent(bot.EventRelay) || len(res.Replies) != 1 || res.Replies[0].MessageID != "media" {
		t.Errorf("handoff, caption: %v, events %v", ids(res), res.Events)
	}

	// STOPP with a picture erases, and its confirmation stands alone.
	res = e.Turn(bot.State{Lang: "sv"}, bot.Message{Text: "STOPP", Media: true}, testNow)
	if !res.Erase || len(res.Replies) != 1 || res.Replies[0].MessageID != "erased" {
		t.Errorf("STOPP with a picture: erase %v, %v", res.Erase, ids(res))
	}
}
