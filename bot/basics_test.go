package bot_test

import (
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
)

// TestBasicsKeepTopic: a bare "ok", "ja" or "nej" outside a question, or a greeting, gets
// its short reply but leaves the topic staff see as what the conversation is about; a
// topic raised later replaces it.
func TestBasicsKeepTopic(t *testing.T) {
	e := bot.New(loadSet(t), bot.Options{})
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		turns []string
		want  string
	}{
		{[]string{"jag har blivit lurad på telefon", "ok"}, "fraud"},
		{[]string{"someone hacked my instagram", "yes"}, "online"},
		{[]string{"joku vainoaa minua", "ei"}, "stalking"},
		{[]string{"min bror mördades", "hej"}, "bereaved"},
		{[]string{"ok", "nån har tagit lån i mitt namn"}, "id_theft"},
	} {
		st := bot.State{}
		var res bot.Result
		for _, msg := range tc.turns {
			res = e.Turn(st, bot.Message{Text: msg}, now)
			st = res.State
		}
		if st.Topic != tc.want {
			t.Errorf("%q: topic %q, want %q", tc.turns, st.Topic, tc.want)
		}
	}
}
