package bot_test

import (
	"os"
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot/corpus"
)

// wordsFile is flows.WordsFile as the bot package's tests reach it.
const wordsFile = "../flows/lexicon/words.txt"

// wordsHeader opens flows/lexicon/words.txt.
const wordsHeader = `# Words residents write that are spelt right: the matcher never reads them as a typo of a
# lexicon word ("think" is no "thank", "auton" no "arton"). Written from the corpus' train
# split (every word of five letters or more written three times or more) by
# go test ./bot -run Words -update; do not edit by hand.
`

// TestWordsCurrent proves that flows/lexicon/words.txt is the list corpus.Words makes
// from today's train split. Run `go test ./bot -run Words -update` after a change to the
// corpus, then retrain the classifier (its hints read through the matcher).
func TestWordsCurrent(t *testing.T) {
	msgs, err := corpus.Load(os.DirFS("testdata/corpus"), corpus.Train)
	if err != nil {
		t.Fatal(err)
	}
	want := wordsHeader + strings.Join(corpus.Words(msgs), "\n") + "\n"
	if *update {
		if err := os.WriteFile(wordsFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(wordsFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is not the list of today's train split: run go test ./bot -run Words -update", wordsFile)
	}
}
