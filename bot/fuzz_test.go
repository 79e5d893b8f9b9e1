package bot_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot"
)

// fuzzStarts are the states a fuzzed conversation starts from: new, waiting on the age
// question, an adult, a child on the menu, an ambiguous birth year, and a state stored by
// an older trygg whose language and node no longer exist. The last one has room to spare
// in its Asked list, so a turn that wrote into the caller's array would show.
func fuzzStarts() []bot.State {
	spare := make([]string, 1, 8)
	spare[0] = "welcome"
	return []bot.State{
		{},
		{Lang: "sv", LangKnown: true, Node: "ask_age", Asked: []string{"ask_age"}, Topic: "support"},
		{Lang: "en", LangKnown: true, AgeMin: 30, AgeMax: 30},
		{Lang: "fi", LangKnown: true, Node: "welcome", AgeMin: 16, AgeMax: 16, Asked: []string{"welcome"}},
		{Lang: "sv", Node: "ask_age", AgeMin: 19, AgeMax: 20, Asked: []string{"ask_age"}},
		{Lang: "xx", Node: "a_node_that_is_gone", Asked: []string{"x", "y", "z", "w"}},
		{Lang: "en", Node: "welcome", Asked: spare},
	}
}

// fuzzSeeds are odd things residents, phones and attackers send.
func fuzzSeeds() []string {
	return []string{
		"",
		"Jag är 16 och blev rånad",
		"han slår mig nu",
		"STOPP",
		"PERSON",
		"MENY",
		"ENGLISH",
		"🙂😢🙏🏽👨‍👩‍👧", // emoji, skin tone, family sequence
		"مرحبا، تعرضت للسرقة وأحتاج مساعدة",          // Arabic (RTL)
		"سلام، من ۱۶ سالمه",                          // Persian with Persian digits
		"أنا ١٦",                                     // Arabic-Indic digits
		"jag är ١٦",                                  // mixed scripts
		"\u202ejag blev rånad\u202c\u200f",           // RTL override and marks
		"hej\x00då\x00",                              // NUL bytes
		"\x01\x02\x03\x07\x08\x1b[31mred\x1b[0m\r\n", // control characters, ANSI
		"\xff\xfe\xfd",                               // invalid UTF-8
		"jag\xc3 blev\xe2\x82 rånad",                 // truncated UTF-8 sequences
		"0123456789",                                 // only digits
		"99999999999999999999999",
		"16",
		"0",
		"-1",
		"!!!???...,,,;;;", // only punctuation
		"hej 你好 привет שלום مرحبا ሰላም 16 år", // mixed scripts
		"z̴̡̢̛̖̗̘̙̜̝̞̟̠a̵l̶g̷o̸",             // combining marks
		"född 0000", "född 99", "född 2026", "fyller 0", "fyller 1", "fyller 100",
		"jag är 99 år", "jag är 100 år", "går i nian, fyller 20, född 2006, jag är 45",
		strings.Repeat("a", 10*1024),           // a 10 kB word
		strings.Repeat("jag blev rånad ", 700), // 10 kB of sentence
		strings.Repeat("nu ", 1000),            // 1000 repeated words
		strings.Repeat("hjälp ", 1000),
		strings.Repeat("🙂", 2500),               // 10 kB of emoji
		strings.Repeat("١", 5000),               // 10 kB of Arabic-Indic digits
		strings.Repeat("å\u0301", 3000),         // letters with stacked marks
		strings.Repeat("\x00", 1000),            // 1000 NULs
		strings.Repeat("sexton ", 500) + "år",   // a number word far from its age word
		strings.Repeat("jag är ", 40) + "16 år", // an age after the 64th word
	}
}

// FuzzTurn: whatever a resident writes, from whatever state, the engine answers without
// panicking, every reply keeps every rule (turnProblems), the state survives being stored,
// a second message continues the conversation under the same rules, and the same input
// gives the same output.
func FuzzTurn(f *testing.F) {
	e := newEngine(f)
	seeds := fuzzSeeds()
	for i, s := range seeds {
		f.Add(s, seeds[(i*7+3)%len(seeds)], uint8(i), int32(i*97))
	}
	starts := fuzzStarts()
	f.Fuzz(func(t *testing.T, first, second string, start uint8, days int32) {
		// Any day within about 100 years of the test clock: birth years depend on it.
		now := testNow.AddDate(0, 0, int(days%36500))
		st := starts[int(start)%len(starts)]
		msg := bot.Message{Text: first, Staffed: start&0x80 != 0}
		res := e.Turn(st, msg, now)
		if p := turnProblems(res); len(p) > 0 {
			t.Fatalf("first turn from %+v, %q:\n  %s\nreply:\n%s", st, first, strings.Join(p, "\n  "), res.Text())
		}
		again := e.Turn(st, msg, now)
		if !reflect.DeepEqual(res, again) {
			t.Fatalf("first turn is not deterministic: %+v then %+v", res, again)
		}
		// Another message from the same state must not change the first result: the
		// engine shares nothing with its caller.
		kept := clone(res)
		e.Turn(st, bot.Message{Text: second}, now)
		if !reflect.DeepEqual(res, kept) {
			t.Fatalf("a second turn from the same state changed the first result: %+v, was %+v", res, kept)
		}
		data, err := res.State.Encode()
		if err != nil {
			t.Fatalf("encode %+v: %v", res.State, err)
		}
		next, err := bot.DecodeState(data)
		if err != nil {
			t.Fatalf("decode %s: %v", data, err)
		}
		if res.Erase {
			next = bot.State{}
		}
		res2 := e.Turn(next, bot.Message{Text: second}, now)
		if p := turnProblems(res2); len(p) > 0 {
			t.Fatalf("second turn from %+v, %q then %q:\n  %s\nreply:\n%s", next, first, second, strings.Join(p, "\n  "), res2.Text())
		}
	})
}

// clone returns a deep copy of a result.
func clone(r bot.Result) bot.Result {
	c := r
	c.State.Asked = append([]string(nil), r.State.Asked...)
	c.Replies = append([]bot.Reply(nil), r.Replies...)
	c.Events = append([]bot.Event(nil), r.Events...)
	return c
}
