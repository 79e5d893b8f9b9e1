package corpus

import (
	"sort"
	"unicode/utf8"

	"github.com/vasteras/trygg/bot/understand"
)

// WordsMin is how many times a word must be written in the train split to be taken as
// spelt right. Words shorter than understand.TypoMin are never read as a typo, so they are
// left out.
const WordsMin = 3

// Words returns the words written at least WordsMin times in msgs (the train split), as
// the matcher normalises them, sorted: the words residents write that are spelt right
// (understand.Plain, flows.WordsFile). A typo is rare; a word many people write is not one,
// even when it is one letter from a lexicon word ("think", "thank").
func Words(msgs []Message) []string {
	n := map[string]int{}
	for _, m := range msgs {
		for _, tok := range understand.Tokens(understand.Normalize(m.Text)) {
			n[tok]++
		}
	}
	var out []string
	for w, c := range n {
		if c >= WordsMin && utf8.RuneCountInString(w) >= understand.TypoMin && (w[0] < '0' || w[0] > '9') {
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}
