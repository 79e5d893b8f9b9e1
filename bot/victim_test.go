package bot_test

import (
	"testing"

	"github.com/vasteras/trygg/bot"
)

// TestVictim: the engine keeps who the conversation is about, their sex and their age,
// and never takes the writer's own age for a child's.
func TestVictim(t *testing.T) {
	e := newEngine(t)
	turn := func(st bot.State, text string) bot.State {
		t.Helper()
		res := e.Turn(st, bot.Message{Text: text}, testNow)
		checkTurn(t, text, res)
		return res.State
	}
	st := turn(bot.State{}, "min dotter blev rånad")
	if st.Victim != "child" || st.Sex != "f" || st.AgeMax != 0 {
		t.Fatalf("after a parent's first message: %+v, want victim child, sex f, no age", st)
	}
	if got := turn(st, "jag är 45"); got.AgeMax != 0 {
		t.Errorf("the parent's own age was taken for the child's: %+v", got)
	}
	if got := turn(st, "hon är 13"); got.AgeMin != 13 || got.AgeMax != 13 || got.Victim != "child" {
		t.Errorf("the child's age: %+v, want 13", got)
	}
	// A new person forgets what was said of the one before.
	st = turn(bot.State{}, "min son är 12 och blev slagen")
	if st.AgeMax != 12 {
		t.Fatalf("the son's age: %+v", st)
	}
	if got := turn(st, "jag blev också rånad"); got.Victim != "self" || got.AgeMax != 0 {
		t.Errorf("the writer as a new victim: %+v, want self and no age", got)
	}
	// The state with its new fields still encodes small and decodes the same.
	data, err := st.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := bot.DecodeState(data)
	if err != nil || back.Victim != st.Victim || back.Sex != st.Sex || back.AgeMax != st.AgeMax {
		t.Errorf("decode: %+v, %v; want %+v", back, err, st)
	}
	// A state written before these fields existed still loads.
	old, err := bot.DecodeState([]byte(`{"v":1,"l":"sv","a":16,"b":16}`))
	if err != nil || old.AgeMax != 16 || old.Victim != "" {
		t.Errorf("an older state: %+v, %v", old, err)
	}
}

// TestAgeAfterTopic: an age alone after a topic's answer gives the topic again for that
// age; after the menu it gives support for that age, while a digit of the menu stays a
// choice.
func TestAgeAfterTopic(t *testing.T) {
	e := newEngine(t)
	st := e.Turn(bot.State{}, bot.Message{Text: "min fru slår mig"}, testNow).State
	res := e.Turn(st, bot.Message{Text: "40"}, testNow)
	checkTurn(t, "40", res)
	if len(res.Replies) != 1 || res.Replies[0].MessageID != "close_relationship_m_adult" {
		t.Errorf("an age after close_relationship: %v", ids(res))
	}
	st = e.Turn(bot.State{}, bot.Message{Text: "hej"}, testNow).State
	if res := e.Turn(st, bot.Message{Text: "16"}, testNow); len(res.Replies) != 1 || res.Replies[0].MessageID != "support_child" {
		t.Errorf("16 after the welcome: %v", ids(res))
	}
	if res := e.Turn(st, bot.Message{Text: "2"}, testNow); res.State.AgeMax != 0 {
		t.Errorf("2 after the welcome is the menu's choice, not an age: %+v", res.State)
	}
}

func ids(res bot.Result) []string {
	var out []string
	for _, r := range res.Replies {
		out = append(out, r.MessageID)
	}
	return out
}

// TestBereavedAge: when a relative or friend was killed, the writer's own age picks the
// number; the age of the one killed never does, and without the writer's own both numbers
// go out with their ages (issue 14).
func TestBereavedAge(t *testing.T) {
	e := newEngine(t)
	tests := []struct {
		text     string
		min, max uint8
	}{
		{"min lillebror sköts ihjäl i somras, han var bara 16", 0, 0},
		{"Vår dotter mördades 2019. Hon var 22.", 0, 0},
		{"Sonen (22) sköts ihjäl i Råby för 2 år sedan. Jag är 58.", 58, 58},
		{"min bror blev skjuten ihjäl. ja e 17", 17, 17},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			res := e.Turn(bot.State{}, bot.Message{Text: tt.text}, testNow)
			checkTurn(t, tt.text, res)
			if res.State.AgeMin != tt.min || res.State.AgeMax != tt.max {
				t.Errorf("age %d-%d, want %d-%d (%+v)", res.State.AgeMin, res.State.AgeMax, tt.min, tt.max, res.State)
			}
		})
	}
}

// TestSexAcrossTurns: a sex the writer said stays when a later message only lets it be
// guessed ("jag är kille", then "min pojkvän slår mig"), and their own words override a guess.
func TestSexAcrossTurns(t *testing.T) {
	e := newEngine(t)
	turn := func(st bot.State, text string) bot.State {
		t.Helper()
		res := e.Turn(st, bot.Message{Text: text}, testNow)
		checkTurn(t, text, res)
		return res.State
	}
	st := turn(bot.State{}, "jag är kille")
	if st.Sex != "m" {
		t.Fatalf("after jag är kille: %+v", st)
	}
	if st = turn(st, "min pojkvän slår mig"); st.Sex != "m" {
		t.Errorf("a guess overrode the sex said: %+v, want m", st)
	}
	st = turn(bot.State{}, "min pojkvän slår mig")
	if st.Sex != "f" {
		t.Fatalf("the default: %+v, want f", st)
	}
	if st = turn(st, "jag är också kille"); st.Sex != "m" {
		t.Errorf("the writer's own words did not override the guess: %+v, want m", st)
	}
}
