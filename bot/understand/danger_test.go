package understand_test

import (
	"testing"

	"github.com/vasteras/trygg/bot/understand"
)

// TestDangerRuleKinds: each kind of danger rule (issue 14) reads what it is for, in the
// shipped lexicons, and leaves alone what it must not read.
func TestDangerRuleKinds(t *testing.T) {
	m := shipped(t)
	tests := []struct {
		rule            string
		text            string
		danger, suicide bool
	}{
		// A threat word ("ska", "sa att", "nästa gång", "he'd", "sano et") and a harm it
		// announces, from the word classes: not each message's phrase.
		{"threat", "pappa sa att ja ska få stryk när ja kommer hem", true, false},
		{"threat", "han sa att nästa gång bryter han armen på mig", true, false},
		{"threat", "han skrev att han ska komma o straffa mig", true, false},
		{"threat", "he said he'd come back and finish the job", true, false},
		{"threat", "my ex keeps saying he'll end me", true, false},
		{"threat", "se sano et se tulee takas ja hoitaa homman loppuun", true, false},
		{"threat", "faija sano et mä saan turpaan kun se tulee kotiin", true, false},
		// The threat word and the harm must be of one language: Swedish "dö" folds to
		// English "do".
		{"threat, one language", "he said he will do it tomorrow", false, false},
		// A present harm that is a habit, away from the threat word, is told, not threatened.
		{"threat, habit", "hon sa att hennes pappa slår henne när hon inte äter", false, false},
		{"threat, habit", "my husband said he'll hit me again when he gets home tonight", true, false},
		// A threat with a weapon stays a threat when told as past.
		{"threat pair", "min fru hotade mig med kniv igår kväll", true, false},
		// Habit: a harm followed by "när", "when", "kun" keeps happening; it is no danger now.
		{"habit", "min styvpappa slår mig när han är arg", false, false},
		{"habit", "he hits me when i am late", false, false},
		{"habit", "isäpuoli lyö mua aina kun mä myöhästyn", false, false},
		// Still: danger now that a word of the past does not undo.
		{"still", "min son har inte kommit hem sen igår och svarar inte", true, false},
		{"still", "my ex took our son from daycare, he has no custody", true, false},
		// A harm with its time in the past right after it is no harm now.
		{"harm told as past", "killen som slog mig i våras har dömts nu", false, false},
		{"harm now", "han har slagit mig i ansiktet nu", true, false},
		// A person at home harm is done to.
		{"harm others", "grannen slår sin fru igen, jag hör hur hon skriker", true, false},
		// Jest: a joke right after a danger word takes it back; one before it does not.
		{"jest", "den här tentan kommer döda mig lol", false, false},
		{"jest", "spelade cs hela natten o sköt ihjäl typ 40 pers haha", false, false},
		{"jest", "11 YEARS lol sorry. A neighbour said he'll set his dog on her next time", true, false},
		{"jest, suicide", "haha jag vill dö", true, true},
		// Suicide: a way to die and a mind to it, despair and an end, someone else.
		{"suicide means", "har stått vid spåret i en timme nu", true, true},
		{"suicide means", "how many sleeping pills is too many", true, true},
		{"suicide means", "montako unilääkettä tarvii", true, true},
		{"suicide means", "pappa funderar på att köra in i en bergvägg", true, true},
		{"suicide", "min pappa har sagt att han ska skjuta sig med jaktgeväret", true, true},
		{"suicide", "isä sano että se ampuu ittensä", true, true},
		{"suicide", "jag tar livet av mig ikväll", true, true},
		// Idioms and past events stay out.
		{"idiom", "hatar det här ärendet, det tar livet av mig", false, false},
		{"idiom", "ska döda alla ogräs i trädgården nu i helgen", false, false},
		{"idiom", "tää tentti tappaa mut", false, false},
		{"not alone", "ngn hotar att sprida nakenbilder pa mig om jag inte betalar", false, false},
		{"not alone", "dörren går inte i lås", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.text, func(t *testing.T) {
			r := m.Read(tt.text, now)
			if r.Danger != tt.danger || r.Suicide != tt.suicide {
				t.Errorf("Read(%q): danger %v suicide %v, want %v %v", tt.text, r.Danger, r.Suicide, tt.danger, tt.suicide)
			}
		})
	}
}

// TestDangerPairKinds: a lexicon's danger pairs are of a known kind, "still" among them.
func TestDangerPairKinds(t *testing.T) {
	lx := func(kind string) []understand.Lexicon {
		return []understand.Lexicon{{Lang: "sv", Danger: understand.Danger{Pairs: []understand.Pair{
			{Kind: kind, A: []string{"borta"}, B: []string{"svarar inte"}},
		}}}}
	}
	m, err := understand.Compile(lx("still"))
	if err != nil {
		t.Fatalf("Compile with a still pair: %v", err)
	}
	// A still pair is danger even beside a word of the past (none is in this lexicon, so
	// this checks the pair itself).
	if r := m.Read("hon är borta och svarar inte", now); !r.Danger || r.Suicide {
		t.Errorf("still pair: danger %v suicide %v, want true false", r.Danger, r.Suicide)
	}
	if _, err := understand.Compile(lx("later")); err == nil {
		t.Error("Compile accepted a danger pair of kind \"later\"")
	}
}
