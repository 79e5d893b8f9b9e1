package classify

import (
	"math"
	"slices"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/swedish"
	"github.com/vasteras/trygg/bot/understand"
)

// Features say which features a text is read as. Each is chosen by cross-validation on
// the train split (see docs/conversations.md, "The classifier").
type Features struct {
	// Words: every folded word ("rånad" → "ranad").
	Words bool `json:"words"`
	// Stems: each word of StemMin letters or more through the Swedish, English and Finnish
	// Snowball stemmers (a language's stem only where it differs from the word).
	Stems bool `json:"stems"`
	// StemMin is the shortest word that is stemmed.
	StemMin int `json:"stem_min"`
	// Bigrams: every two neighbouring words ("vill inte", "inte anmala").
	Bigrams bool `json:"bigrams"`
	// CharMin and CharMax bound the character n-grams read inside each word, its
	// boundaries marked ("<ranad>" gives "<ra", "ran" … "ad>"); 0 means none. They carry
	// typos, shorthand and inflection, and the words of ar, fa, so and ti that no stemmer
	// knows.
	// HintWeight is the value of each hint feature (Hints), where every other feature
	// has 1: what the rules read counts for more than one n-gram.
	HintWeight float64 `json:"hint_weight"`
	CharMin    int     `json:"char_min"`
	CharMax    int     `json:"char_max"`
}

// Limits that bound the work one message can cost (a 10 kB word, a pasted essay).
const (
	// maxText is how many bytes of a message are read (an SMS is at most 1,600
	// characters); maxTokens how many words of them. The rest is ignored.
	maxText   = 4096
	maxTokens = 200
	// maxGramWord is the longest word read for character n-grams; a longer one is no word.
	maxGramWord = 24
)

// Feature kinds, mixed into each feature's hash so that the word "ran" and the n-gram
// "ran" are different features.
const (
	kindBias byte = iota + 1
	kindWord
	kindStem
	kindBigram
	kindChar
	kindHint
)

// extractor turns texts into hashed features. It holds the Snowball environments it
// reuses, so it is not safe for concurrent use: a Model makes one per call.
type extractor struct {
	f     Features
	out   []uint32
	hints []uint32
	buf   []byte
}

// hash is 32-bit FNV-1a of a kind byte and the bytes of parts, separated by a space.
func hash(kind byte, parts ...string) uint32 {
	h := uint32(2166136261)
	h = (h ^ uint32(kind)) * 16777619
	for i, p := range parts {
		if i > 0 {
			h = (h ^ ' ') * 16777619
		}
		for j := 0; j < len(p); j++ {
			h = (h ^ uint32(p[j])) * 16777619
		}
	}
	return h
}

// stemmers are the Snowball stemmers features are read with.
var stemmers = [...]func(*snowballstem.Env) bool{swedish.Stem, english.Stem, finnish.Stem}

// features returns the distinct features of text, sorted, and those of its hints, with
// the value each feature of text has (the hints' is that times HintWeight). The slices
// are reused by the next call.
func (x *extractor) features(text string, hints []Hint) ([]uint32, []uint32, float64) {
	x.out = x.out[:0]
	x.out = append(x.out, hash(kindBias))
	x.hints = x.hints[:0]
	for _, h := range hints {
		x.hints = append(x.hints, hash(kindHint, h.Kind, h.Value))
	}
	slices.Sort(x.hints)
	x.hints = slices.Compact(x.hints)
	if len(text) > maxText {
		cut := maxText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	toks := understand.Tokens(understand.Normalize(text))
	if len(toks) > maxTokens {
		toks = toks[:maxTokens]
	}
	for i, t := range toks {
		if x.f.Words {
			x.out = append(x.out, hash(kindWord, t))
		}
		if x.f.Bigrams && i > 0 {
			x.out = append(x.out, hash(kindBigram, toks[i-1], t))
		}
		n := utf8.RuneCountInString(t)
		if x.f.Stems && n >= x.f.StemMin && n <= maxGramWord && t[0] < utf8.RuneSelf {
			for _, st := range stemmers {
				env := snowballstem.NewEnv(t)
				st(env)
				if s := env.Current(); s != t {
					x.out = append(x.out, hash(kindStem, s))
				}
			}
		}
		if x.f.CharMax > 0 && n <= maxGramWord {
			x.grams(t)
		}
	}
	slices.Sort(x.out)
	x.out = slices.Compact(x.out)
	return x.out, x.hints, norm(len(x.out), len(x.hints), x.f.HintWeight)
}

// grams adds the character n-grams of word t, its boundaries marked with < and >.
func (x *extractor) grams(t string) {
	x.buf = append(x.buf[:0], '<')
	x.buf = append(x.buf, t...)
	x.buf = append(x.buf, '>')
	// Rune starts, so that an n-gram never splits a letter of a non-Latin script.
	var starts [maxGramWord + 3]int
	k := 0
	for i := range string(x.buf) {
		starts[k] = i
		k++
	}
	starts[k] = len(x.buf)
	for n := x.f.CharMin; n <= x.f.CharMax; n++ {
		for i := 0; i+n <= k; i++ {
			g := x.buf[starts[i]:starts[i+n]]
			h := uint32(2166136261)
			h = (h ^ uint32(kindChar)) * 16777619
			for _, c := range g {
				h = (h ^ uint32(c)) * 16777619
			}
			x.out = append(x.out, h)
		}
	}
}

// norm is the value of each feature of a message with n features and h hints of weight
// hw: a message's features together weigh 1 (L2), so a long story does not outvote a
// short message.
func norm(n, h int, hw float64) float64 {
	sum := float64(n) + float64(h)*hw*hw
	if sum == 0 {
		return 0
	}
	return 1 / math.Sqrt(sum)
}

// Hint is one thing the rules read in a message, a feature of the classifier: "intent"
// and the intent, "danger", "victim" and who, "age" and the age group …
type Hint struct{ Kind, Value string }

// Hints are what the rules read in a message, as features of the classifier: each intent,
// danger and suicide, who the victim is, their sex, whether a place is named, and whether an age is known and
// under 18, under 20 or older. Intents are shared by every language, so they carry what
// one language's examples teach to the others; the classifier learns how far to trust
// each. The engine and training must give the same hints for the same message.
func Hints(r understand.Reading) []Hint {
	out := make([]Hint, 0, len(r.Intents)+6)
	for _, in := range r.Intents {
		out = append(out, Hint{"intent", in})
	}
	if len(r.Intents) == 0 {
		out = append(out, Hint{"intent", ""})
	}
	if r.Danger {
		out = append(out, Hint{"danger", ""})
	}
	if r.Suicide {
		out = append(out, Hint{"suicide", ""})
	}
	if r.Victim != "" {
		out = append(out, Hint{"victim", r.Victim})
	}
	if r.Sex != "" {
		out = append(out, Hint{"sex", r.Sex})
	}
	if r.Place != "" {
		out = append(out, Hint{"place", ""})
	}
	switch a := r.Age; {
	case !a.Known():
	case a.Max < 18:
		out = append(out, Hint{"age", "child"})
	case a.Max < 20:
		out = append(out, Hint{"age", "youth"})
	default:
		out = append(out, Hint{"age", "adult"})
	}
	return out
}
