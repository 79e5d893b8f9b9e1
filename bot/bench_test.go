package bot_test

import (
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot"
)

// BenchmarkTurn measures one engine turn (goal: under 20 µs on the CI machine):
//
//	go test ./bot -run X -bench Turn -benchmem
func BenchmarkTurn(b *testing.B) {
	e := newEngine(b)
	asked := e.Turn(bot.State{}, bot.Message{Text: "jag blev rånad igår"}, testNow).State
	cases := []struct {
		name string
		st   bot.State
		text string
	}{
		// A typical first message: age and need in one.
		{"first", bot.State{}, "Jag är 16 och blev rånad"},
		// A typical answer in the middle of a conversation: the age after the question.
		{"answer", asked, "17"},
		{"answer_words", asked, "tjugotre"},
		// A longer message with emoji, a typo and several facts.
		{"long", bot.State{}, "Hej! 😢 Jag är 45, blev misshandlad igår kväll på stan av två killar och vill anmäla, vad kostar det?"},
		// The worst an attacker can send in one web chat message: 10 kB in one word.
		{"10kB_word", bot.State{}, strings.Repeat("a", 10*1024)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			msg := bot.Message{Text: c.text}
			for b.Loop() {
				e.Turn(c.st, msg, testNow)
			}
		})
	}
	// The same first message read by the rules alone: what the classifier costs.
	rules := bot.New(loadSet(b), bot.Options{RulesOnly: true})
	b.Run("first_rules_only", func(b *testing.B) {
		b.ReportAllocs()
		msg := bot.Message{Text: cases[0].text}
		for b.Loop() {
			rules.Turn(bot.State{}, msg, testNow)
		}
	})
}
