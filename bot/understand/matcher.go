package understand

import (
	"fmt"
	"sort"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// kind is what a matched phrase means.
type kind uint8

const (
	kindStop kind = iota
	kindIntent
	kindWhole
	kindAlways
	kindHarm
	kindNow
	kindSuicide
	kindBefore
	kindAfter
	kindBorn
	kindTurning
	kindSchool
	kindPlace
)

// entry is one normalised phrase of one language.
type entry struct {
	words    []string
	lang     string
	kind     kind
	name     string // the intent, for kindIntent and kindWhole
	min, max int    // the ages, for kindSchool
}

// fuzzyMin is the shortest word that may match with one typo. Shorter words ("nu", "112",
// "ja") must be exact: one letter off is another word.
const fuzzyMin = 5

// Matcher reads messages against the lexicons of every language trygg speaks. It is
// immutable after Compile and safe for concurrent use.
type Matcher struct {
	langs   []string
	byFirst map[string][]*entry // phrases by their first normalised word
	vocab   map[string]bool     // every word of every phrase, for typo correction
	deletes map[string][]string // one-deletion variants of long vocab words → the words
	numbers map[string]int      // number words 1..99, compounds included
	tens    map[string]int      // 20, 30 .. 90
	ones    map[string]int      // 1 .. 9
	glued   []string            // age suffixes that may be glued to a number word
	longest int                 // runes in the longest vocab word; longer tokens are no typo of one

	placeWords    map[string]bool // every word of every place name
	placeSuffixes []string        // inflection endings tried on place names, longest first
}

// Compile builds a Matcher from the lexicons and options. It fails on a lexicon without a
// language or with a phrase that normalises to nothing.
func Compile(lexicons []Lexicon, opts ...Option) (*Matcher, error) {
	m := &Matcher{
		placeWords: map[string]bool{},
		byFirst:    map[string][]*entry{},
		vocab:      map[string]bool{},
		deletes:    map[string][]string{},
		numbers:    map[string]int{},
		tens:       map[string]int{},
		ones:       map[string]int{},
	}
	for _, lx := range lexicons {
		if lx.Lang == "" {
			return nil, fmt.Errorf("lexicon without a language")
		}
		m.langs = append(m.langs, lx.Lang)
		add := func(phrase string, k kind, name string, min, max int) error {
			words := Tokens(Normalize(phrase))
			if len(words) == 0 {
				return fmt.Errorf("%s: phrase %q has no letters or digits", lx.Lang, phrase)
			}
			e := &entry{words: words, lang: lx.Lang, kind: k, name: name, min: min, max: max}
			m.byFirst[words[0]] = append(m.byFirst[words[0]], e)
			if k != kindStop {
				for _, w := range words {
					m.vocab[w] = true
				}
			}
			return nil
		}
		var err error
		addAll := func(phrases []string, k kind, name string) {
			for _, p := range phrases {
				if err == nil {
					err = add(p, k, name, 0, 0)
				}
			}
		}
		addAll(lx.Stopwords, kindStop, "")
		names := make([]string, 0, len(lx.Intents))
		for name := range lx.Intents {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			addAll(lx.Intents[name].Whole, kindWhole, name)
			addAll(lx.Intents[name].Any, kindIntent, name)
		}
		addAll(lx.Danger.Always, kindAlways, "")
		addAll(lx.Danger.Harm, kindHarm, "")
		addAll(lx.Danger.Now, kindNow, "")
		addAll(lx.Danger.Suicide, kindSuicide, "")
		addAll(lx.Age.Before, kindBefore, "")
		addAll(lx.Age.After, kindAfter, "")
		addAll(lx.Age.Born, kindBorn, "")
		addAll(lx.Age.Turning, kindTurning, "")
		for _, s := range lx.Age.School {
			if err == nil {
				err = add(s.Words, kindSchool, "", s.Min, s.Max)
			}
		}
		if err != nil {
			return nil, err
		}
		for _, a := range lx.Age.After {
			if w := Normalize(a); utf8.RuneCountInString(w) >= 3 && !containsSpace(w) {
				m.glued = append(m.glued, w)
			}
		}
		m.addNumbers(lx.Numbers)
	}
	for _, opt := range opts {
		if err := opt(m); err != nil {
			return nil, err
		}
	}
	for w := range m.vocab {
		m.longest = max(m.longest, utf8.RuneCountInString(w))
		if utf8.RuneCountInString(w) >= fuzzyMin {
			for _, d := range deletions(w) {
				m.deletes[d] = append(m.deletes[d], w)
			}
			m.deletes[w] = append(m.deletes[w], w)
		}
	}
	for d := range m.deletes {
		sort.Strings(m.deletes[d])
	}
	return m, nil
}

func containsSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return true
		}
	}
	return false
}

// addNumbers records the number words of one language and composes 21..99 the way Swedish
// and Finnish write them, as one word ("tjugotre", "kaksikymmentäkolme"). English "twenty
// three" is two words and is composed while reading.
func (m *Matcher) addNumbers(numbers map[int][]string) {
	for n, words := range numbers {
		for _, w := range words {
			w = Normalize(w)
			if w == "" || containsSpace(w) {
				continue
			}
			m.numbers[w] = n
			m.vocab[w] = true
			if n >= 20 && n%10 == 0 {
				m.tens[w] = n
			}
			if n >= 1 && n <= 9 {
				m.ones[w] = n
			}
		}
	}
	for t, tv := range m.tens {
		for o, ov := range m.ones {
			if _, taken := m.numbers[t+o]; !taken {
				m.numbers[t+o] = tv + ov
			}
		}
	}
}

// deletions returns every string made by deleting one rune of w.
func deletions(w string) []string {
	r := []rune(w)
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// canonical returns the vocabulary word a token stands for: itself when it is known or
// short, else a known word at most one typo away (insertion, deletion, substitution or
// swap of two neighbours), else the token.
func (m *Matcher) canonical(tok string) string {
	if m.vocab[tok] {
		return tok
	}
	n := utf8.RuneCountInString(tok)
	if n < fuzzyMin || n > m.longest+1 || tok[0] >= '0' && tok[0] <= '9' {
		// Too short to trust a typo, too long to be one letter off any known word (and
		// trying would cost the square of its length), or a number.
		return tok
	}
	best := ""
	try := func(key string) {
		for _, cand := range m.deletes[key] {
			if (best == "" || cand < best) && withinOne(tok, cand) {
				best = cand
			}
		}
	}
	try(tok)
	for _, d := range deletions(tok) {
		try(d)
	}
	if best == "" {
		return tok
	}
	return best
}

// withinOne reports whether a and b are at most one edit apart (Damerau: a swap of two
// neighbouring letters is one edit).
func withinOne(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) < len(rb) {
		ra, rb = rb, ra
	}
	switch len(ra) - len(rb) {
	case 0:
		diff := -1
		for i := range ra {
			if ra[i] != rb[i] {
				if diff >= 0 {
					// A second difference: only a swap of neighbours is still one edit.
					return diff == i-1 && ra[diff] == rb[i] && ra[i] == rb[diff] && string(ra[i+1:]) == string(rb[i+1:])
				}
				diff = i
			}
		}
		return true
	case 1:
		i := 0
		for i < len(rb) && ra[i] == rb[i] {
			i++
		}
		return string(ra[i+1:]) == string(rb[i:])
	}
	return false
}

// Age is an age range read from a message; the zero Age means no age was said.
type Age struct {
	// Min and Max bound the age: equal when the age is exact, one apart for a birth year.
	Min, Max int
}

// Known reports whether an age was said.
func (a Age) Known() bool { return a.Max > 0 }

// Reading is what a message says, as far as routing needs to know.
type Reading struct {
	// Lang is the language the words belong to most, or "" when no word told.
	Lang string
	// LangSure is true when at least two words told Lang and none another language.
	LangSure bool
	// OtherScript is true when most letters are of a script trygg does not speak
	// (Cyrillic, or Arabic script written in Kurdish …).
	OtherScript bool
	// Script is the language the letters' script tells (ScriptLang), whether trygg speaks
	// it or not: "ar", "fa", "ti", "ckb" …, or "" for Latin.
	Script string
	// Empty is true when the message has no letters or digits (blank, only emoji, an MMS).
	Empty bool
	// Intents are the intents found, each once, in the order they appear.
	Intents []string
	// Danger is true when someone seems to be in danger now.
	Danger bool
	// Suicide is true when the person may be thinking of taking their life.
	Suicide bool
	// Age is the age said, if any.
	Age Age
	// Number is the number the whole message consists of ("3", "16"), or -1.
	Number int
	// Place is the id of the first place named, or "".
	Place string
}

// Has reports whether intent was found.
func (r Reading) Has(intent string) bool {
	for _, i := range r.Intents {
		if i == intent {
			return true
		}
	}
	return false
}

// match is a phrase found in a message, covering tokens [start, end).
type match struct {
	e          *entry
	start, end int
}

// Read reads text. now is the time the message arrived, for ages given as a birth year.
func (m *Matcher) Read(text string, now time.Time) Reading {
	r := Reading{Number: -1}
	latin, other := 0, 0
	for _, c := range text {
		if unicode.IsLetter(c) {
			if unicode.Is(unicode.Latin, c) {
				latin++
			} else {
				other++
			}
		}
	}
	r.OtherScript = other > latin
	toks := Tokens(Normalize(text))
	if len(toks) == 0 {
		r.Empty = true
		return r
	}
	if len(toks) == 1 && isDigits(toks[0]) && len(toks[0]) <= 4 {
		r.Number, _ = strconv.Atoi(toks[0])
	}
	canon := make([]string, len(toks))
	for i, t := range toks {
		canon[i] = m.canonical(t)
		if !m.vocab[canon[i]] && len(m.placeSuffixes) > 0 {
			if w := m.placeWord(t); w != "" {
				canon[i] = w
			}
		}
	}
	if r.Number < 0 && len(canon) <= 2 {
		// A number in words is an answer too: "sexton", "twenty three".
		if n, width, _ := m.number(canon, 0); n > 0 && width == len(canon) {
			r.Number = n
		}
	}

	var found []match
	for i, w := range canon {
		for _, e := range m.byFirst[w] {
			if hasAt(canon, i, e.words) {
				found = append(found, match{e: e, start: i, end: i + len(e.words)})
			}
		}
	}

	scores := map[string]int{}
	harm, soon := false, false
	for _, f := range found {
		whole := f.start == 0 && f.end == len(canon)
		if f.e.lang != "" && (f.e.kind != kindWhole || whole) {
			scores[f.e.lang] += len(f.e.words)
		}
		switch f.e.kind {
		case kindIntent:
			r.addIntent(f.e.name)
		case kindWhole:
			if whole {
				r.addIntent(f.e.name)
			}
		case kindAlways:
			r.Danger = true
		case kindHarm:
			harm = true
		case kindNow:
			soon = true
		case kindSuicide:
			r.Suicide = true
			r.Danger = true
		case kindPlace:
			if r.Place == "" {
				r.Place = f.e.name
			}
		}
	}
	if harm && soon {
		r.Danger = true
	}
	r.Lang, r.LangSure = pickLang(m.langs, scores)
	m.byScript(&r, text, scores)
	r.Age = m.age(canon, found, now)
	return r
}

func (r *Reading) addIntent(name string) {
	if !r.Has(name) {
		r.Intents = append(r.Intents, name)
	}
}

// pickLang returns the language with the highest score, if one is highest.
func pickLang(langs []string, scores map[string]int) (string, bool) {
	best, second := "", 0
	for _, l := range langs {
		s := scores[l]
		switch {
		case best == "" || s > scores[best]:
			if best != "" {
				second = scores[best]
			}
			best = l
		case s > second:
			second = s
		}
	}
	if best == "" || scores[best] == 0 || scores[best] == second {
		return "", false
	}
	return best, scores[best] >= 2 && second == 0
}

func hasAt(toks []string, i int, words []string) bool {
	if i+len(words) > len(toks) {
		return false
	}
	for j, w := range words {
		if toks[i+j] != w {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// age finds the first age the message states: "fyller 20" (19), a birth year, a school
// year, or a number with an age word before or after it ("jag är 16", "16 år", "sextonåring").
func (m *Matcher) age(toks []string, found []match, now time.Time) Age {
	var before, after, born, turning [64]bool // by token index; messages longer than 64 words read only their start
	limit := len(toks)
	if limit > 63 {
		limit = 63
	}
	for _, f := range found {
		if f.end > limit || f.start > limit {
			continue
		}
		switch f.e.kind {
		case kindBefore:
			before[f.end] = true
		case kindAfter:
			after[f.start] = true
		case kindBorn:
			born[f.end] = true
		case kindTurning:
			turning[f.end] = true
		case kindSchool:
			return Age{Min: f.e.min, Max: f.e.max}
		}
	}
	for i := 0; i < limit; i++ {
		n, width, glued := m.number(toks, i)
		if n <= 0 {
			continue
		}
		if born[i] || (i > 0 && born[i-1] && isDigits(toks[i])) {
			if a, ok := fromBirthYear(toks[i], now); ok {
				return a
			}
			continue
		}
		if n > 99 {
			continue
		}
		if turning[i] && n >= 2 {
			return Age{Min: n - 1, Max: n - 1}
		}
		// A small number word ("en", "ett", "one") is an age only with an age word after it:
		// "jag är en tjej" says nothing about age.
		word := !isDigits(toks[i])
		if glued || after[i+width] || (before[i] && (!word || n >= 10)) {
			return Age{Min: n, Max: n}
		}
	}
	return Age{}
}

// number reads the number at token i: digits, a number word, "twenty three", or a number
// word with an age suffix glued on ("sextonåring"). It returns the value (0 if none), how
// many tokens it took and whether an age suffix was glued to it.
func (m *Matcher) number(toks []string, i int) (int, int, bool) {
	t := toks[i]
	if isDigits(t) {
		if len(t) > 4 {
			return 0, 1, false
		}
		n, _ := strconv.Atoi(t)
		return n, 1, false
	}
	if n, ok := m.numbers[t]; ok {
		if tv, isTens := m.tens[t]; isTens && i+1 < len(toks) {
			if ov, isOne := m.ones[toks[i+1]]; isOne {
				return tv + ov, 2, false
			}
		}
		return n, 1, false
	}
	for _, suf := range m.glued {
		if len(t) > len(suf) && t[len(t)-len(suf):] == suf {
			if n, ok := m.numbers[t[:len(t)-len(suf)]]; ok {
				return n, 1, true
			}
		}
	}
	return 0, 1, false
}

// fromBirthYear turns "2008" or "08" into the two ages a person born then can be now.
func fromBirthYear(tok string, now time.Time) (Age, bool) {
	y, err := strconv.Atoi(tok)
	if err != nil {
		return Age{}, false
	}
	year := now.Year()
	if len(tok) == 2 {
		if y <= year%100 {
			y += year / 100 * 100
		} else {
			y += (year/100 - 1) * 100
		}
	}
	if y > year || y < year-110 {
		return Age{}, false
	}
	a := Age{Min: year - y - 1, Max: year - y}
	if a.Min < 0 {
		a.Min = 0
	}
	if a.Max == 0 {
		return Age{}, false
	}
	return a, true
}
