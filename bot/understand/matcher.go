package understand

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
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
	kindThreat
	kindThreatHarm
	kindOthers
	kindPairA
	kindPairB
	kindPast
	kindJest
	kindHabit
	kindIdiom
	kindBefore
	kindBeforeOther
	kindAfter
	kindBorn
	kindTurning
	kindSchool
	kindDuration
	kindDurationBefore
	kindThen
	kindOf
	kindNegation
	kindPerson
	kindSelf
	kindHappened
	kindWriter
	kindSexF
	kindSexM
	kindPlace
	kindNotAge
	kindNearF
	kindNearM
	kindThirdF
	kindThirdM
	kindAloneNext
	kindThirdOf
	kindAfterThen
	kindHedge
	kindAnd
)

// exact reports whether phrases of kind k match the words as written (folded, but neither
// corrected nor stemmed): the danger words.
func (k kind) exact() bool { return k >= kindAlways && k <= kindIdiom }

// tellsLang reports whether phrases of kind k tell the language of a message. Short
// function words around ages and people ("i", "på", "min") and the halves of danger pairs
// ("en", "vill") are in several languages.
func (k kind) tellsLang() bool {
	switch k {
	case kindNegation, kindDurationBefore, kindOf, kindWriter, kindHappened, kindPairA, kindPairB, kindNearF, kindNearM, kindAloneNext, kindHedge, kindAnd:
		return false
	}
	return true
}

// entry is one normalised phrase of one language.
type entry struct {
	words    []string
	lang     string
	kind     kind
	name     string // the intent, for kindIntent and kindWhole; the relation, for kindPerson
	negated  string // the intent a negated kindIntent phrase counts as
	sex      string // "f", "m" or "", for kindPerson
	min, max int    // the ages, for kindSchool
	pair     *pair  // the pair, for kindPairA and kindPairB
}

// pair is a compiled danger Pair.
type pair struct {
	kind  string
	reach int
}

// TypoMin is the shortest word that may match with one typo. Shorter words ("nu", "112",
// "ja") must be exact: one letter off is another word.
const TypoMin = 5

// Matcher reads messages against the lexicons of every language trygg speaks. It is
// immutable after Compile and safe for concurrent use.
type Matcher struct {
	langs   []string
	byFirst map[string][]*entry // phrases by their first normalised word
	exact   map[string][]*entry // danger phrases, by their first word as written (shorthand written out)
	short   map[string]string   // shorthand → the word it stands for, for danger phrases
	prefix  []*entry            // one-word danger phrases written with a trailing "*"
	vocab   map[string]bool     // every word of every phrase but the danger words, for typo correction
	deletes map[string][]string // one-deletion variants of long vocab words → the words
	numbers map[string]int      // number words 1..99, compounds included
	tens    map[string]int      // 20, 30 .. 90
	ones    map[string]int      // 1 .. 9
	glued   []string            // age suffixes that may be glued to a number word
	longest int                 // runes in the longest vocab word; longer tokens are no typo of one
	stems   []stemmer           // each language's stemmer and the stems of its intent words
	alias   map[string]string   // an intent word → the word that stands for its stem group

	placeWords    map[string]bool // every word of every place name
	plain         map[string]bool // words spelt right: never a typo (Plain)
	placeSuffixes []string        // inflection endings tried on place names, longest first
}

// Compile builds a Matcher from the lexicons and options. It fails on a lexicon without a
// language or with a phrase that normalises to nothing.
func Compile(lexicons []Lexicon, opts ...Option) (*Matcher, error) {
	m := &Matcher{
		placeWords: map[string]bool{},
		byFirst:    map[string][]*entry{},
		exact:      map[string][]*entry{},
		vocab:      map[string]bool{},
		deletes:    map[string][]string{},
		numbers:    map[string]int{},
		tens:       map[string]int{},
		ones:       map[string]int{},
		alias:      map[string]string{},
		short:      map[string]string{},
	}
	for _, lx := range lexicons {
		for k, v := range lx.Shorthand {
			k, v = Normalize(k), Normalize(v)
			if _, taken := m.short[k]; !taken && k != "" && v != "" && !containsSpace(k) && !containsSpace(v) {
				m.short[k] = v
			}
		}
	}
	var intentWords []langWord
	for _, lx := range lexicons {
		if lx.Lang == "" {
			return nil, fmt.Errorf("lexicon without a language")
		}
		m.langs = append(m.langs, lx.Lang)
		add := func(phrase string, e entry) error {
			words := Tokens(Normalize(phrase))
			if len(words) == 0 {
				return fmt.Errorf("%s: phrase %q has no letters or digits", lx.Lang, phrase)
			}
			e.words, e.lang = words, lx.Lang
			if e.kind.exact() && strings.HasSuffix(strings.TrimSpace(phrase), "*") {
				if len(words) != 1 || utf8.RuneCountInString(words[0]) < 4 {
					return fmt.Errorf("%s: %q: only one word of four letters or more may end in *", lx.Lang, phrase)
				}
				m.prefix = append(m.prefix, &e)
				return nil
			}
			if e.kind.exact() {
				for j, w := range words {
					if long, ok := m.short[w]; ok {
						words[j] = long
					}
				}
				m.exact[words[0]] = append(m.exact[words[0]], &e)
				return nil
			}
			m.byFirst[words[0]] = append(m.byFirst[words[0]], &e)
			if e.kind != kindStop {
				for _, w := range words {
					m.vocab[w] = true
				}
			}
			if e.kind == kindIntent {
				for _, w := range words {
					intentWords = append(intentWords, langWord{lx.Lang, w, e.name})
				}
			}
			return nil
		}
		var err error
		addAll := func(phrases []string, e entry) {
			for _, p := range phrases {
				if err == nil {
					err = add(p, e)
				}
			}
		}
		addAll(lx.Stopwords, entry{kind: kindStop})
		names := make([]string, 0, len(lx.Intents))
		for name := range lx.Intents {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			in := lx.Intents[name]
			addAll(in.Whole, entry{kind: kindWhole, name: name})
			addAll(in.Any, entry{kind: kindIntent, name: name, negated: in.Negated})
		}
		addAll(lx.Danger.Always, entry{kind: kindAlways})
		addAll(lx.Danger.Harm, entry{kind: kindHarm})
		addAll(lx.Danger.Now, entry{kind: kindNow})
		addAll(lx.Danger.Suicide, entry{kind: kindSuicide})
		addAll(lx.Danger.Threat, entry{kind: kindThreat})
		addAll(lx.Danger.ThreatHarm, entry{kind: kindThreatHarm})
		addAll(lx.Danger.Others, entry{kind: kindOthers})
		addAll(lx.Danger.Past, entry{kind: kindPast})
		addAll(lx.Danger.Idioms, entry{kind: kindIdiom})
		addAll(lx.Danger.Jest, entry{kind: kindJest})
		addAll(lx.Danger.Habit, entry{kind: kindHabit})
		for _, p := range lx.Danger.Pairs {
			switch p.Kind {
			case "now", "still", "threat", "suicide":
			default:
				if err == nil {
					err = fmt.Errorf("%s: danger pair kind %q is not now, still, threat or suicide", lx.Lang, p.Kind)
				}
			}
			pp := &pair{kind: p.Kind, reach: p.Reach}
			if pp.reach <= 0 {
				pp.reach = 4
			}
			addAll(p.A, entry{kind: kindPairA, pair: pp})
			addAll(p.B, entry{kind: kindPairB, pair: pp})
		}
		addAll(lx.Age.Before, entry{kind: kindBefore})
		addAll(lx.Age.BeforeOther, entry{kind: kindBeforeOther})
		addAll(lx.Age.After, entry{kind: kindAfter})
		addAll(lx.Age.Born, entry{kind: kindBorn})
		addAll(lx.Age.Turning, entry{kind: kindTurning})
		addAll(lx.Age.Duration, entry{kind: kindDuration})
		addAll(lx.Age.Units, entry{kind: kindDuration})
		addAll(lx.Age.NotBefore, entry{kind: kindNotAge})
		addAll(lx.Age.AloneNext, entry{kind: kindAloneNext})
		addAll(lx.Age.AfterThen, entry{kind: kindAfterThen})
		addAll(lx.Age.DurationBefore, entry{kind: kindDurationBefore})
		addAll(lx.Age.Then, entry{kind: kindThen})
		addAll(lx.Age.Of, entry{kind: kindOf})
		addAll(lx.Age.Hedge, entry{kind: kindHedge})
		addAll(lx.Age.And, entry{kind: kindAnd})
		addAll(lx.Negation, entry{kind: kindNegation})
		addAll(lx.Self, entry{kind: kindSelf})
		addAll(lx.Writer, entry{kind: kindWriter})
		addAll(lx.Happened, entry{kind: kindHappened})
		addAll(lx.Sex.F, entry{kind: kindSexF})
		addAll(lx.Sex.M, entry{kind: kindSexM})
		addAll(lx.Sex.Near.F, entry{kind: kindNearF})
		addAll(lx.Sex.Near.M, entry{kind: kindNearM})
		addAll(lx.Third.F, entry{kind: kindThirdF})
		addAll(lx.Third.M, entry{kind: kindThirdM})
		addAll(lx.ThirdOf, entry{kind: kindThirdOf})
		for _, p := range lx.People {
			switch p.Who {
			case "child", "partner", "relative", "friend", "other":
			default:
				if err == nil {
					err = fmt.Errorf("%s: people: who %q is not child, partner, relative, friend or other", lx.Lang, p.Who)
				}
			}
			addAll(p.Words, entry{kind: kindPerson, name: p.Who, sex: p.Sex})
		}
		for _, s := range lx.Age.School {
			if err == nil {
				err = add(s.Words, entry{kind: kindSchool, min: s.Min, max: s.Max})
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
	m.addStems(intentWords)
	for w := range m.vocab {
		m.longest = max(m.longest, utf8.RuneCountInString(w))
		if utf8.RuneCountInString(w) >= TypoMin {
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
		return m.aliased(tok)
	}
	if _, ok := m.numbers[tok]; ok {
		return tok // a composed number word ("tjugotre") is no inflection and no typo
	}
	n := utf8.RuneCountInString(tok)
	if n < TypoMin || n > m.longest+1 || tok[0] >= '0' && tok[0] <= '9' {
		// Too short to trust a typo, too long to be one letter off any known word (and
		// trying would cost the square of its length), or a number.
		return tok
	}
	if n >= stemMin {
		// An inflected form of an intent word ("anmälde", "reported").
		if w := m.stemmed(tok); w != "" {
			return w
		}
	}
	if m.plain[tok] {
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
	return m.aliased(best)
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

// The relations a message's victim may have to its writer (Reading.Victim).
const (
	VictimSelf     = "self"
	VictimChild    = "child"
	VictimPartner  = "partner"
	VictimRelative = "relative"
	VictimFriend   = "friend"
	VictimOther    = "other"
)

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
	// Danger is true when someone seems to be in danger now, or is threatened with harm.
	Danger bool
	// Suicide is true when the person may be thinking of taking their life.
	Suicide bool
	// Age is the age of the person the message is about (the victim), if said: the
	// writer's own age when they write about themselves, a child's when a parent writes
	// "min dotter på 13".
	Age Age
	// AgeSelf is true when Age was said as the writer's own ("jag är 45"), not bare ("45",
	// "45 år"): an answer about someone else does not take it.
	AgeSelf bool
	// Writer is the writer's own age, if said; it may differ from Age.
	Writer Age
	// Victim is who the message is about: VictimSelf, VictimChild … or "" when it does not say.
	Victim string
	// Sex is the victim's sex as far as the message tells it: "f", "m" or "".
	Sex string
	// Negated is true when a phrase of an intent was turned around by a negation ("vill
	// inte anmäla"): what the resident does not want decides, and no guess overrides it.
	Negated bool
	// SexGuessed is true when Sex is only the default read from someone else ("min fru
	// slår mig": m), not the writer's own words ("jag är kille"): it does not override a
	// sex said before.
	SexGuessed bool
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
	// Danger words are compared with shorthand written out ("ngn e här").
	dtoks := toks
	if len(m.short) > 0 && len(toks) > 1 {
		dtoks = make([]string, len(toks))
		for i, t := range toks {
			dtoks[i] = t
			if long, ok := m.short[t]; ok {
				dtoks[i] = long
			}
		}
	}
	var found []match
	for i, w := range canon {
		for _, e := range m.byFirst[w] {
			if hasAt(canon, i, e.words) {
				found = append(found, match{e: e, start: i, end: i + len(e.words)})
			}
		}
		for _, e := range m.exact[dtoks[i]] {
			if hasAt(dtoks, i, e.words) {
				found = append(found, match{e: e, start: i, end: i + len(e.words)})
			}
		}
		for _, e := range m.prefix {
			if strings.HasPrefix(toks[i], e.words[0]) {
				found = append(found, match{e: e, start: i, end: i + 1})
			}
		}
	}
	scores := map[string]int{}
	var negEnds []int
	for _, f := range found {
		if f.e.kind == kindNegation {
			negEnds = append(negEnds, f.end)
		}
	}
	for _, f := range found {
		whole := f.start == 0 && f.end == len(canon)
		if f.e.lang != "" && (f.e.kind != kindWhole || whole) && f.e.kind.tellsLang() {
			scores[f.e.lang] += len(f.e.words)
		}
		switch f.e.kind {
		case kindIntent:
			if negatedAt(negEnds, f.start) {
				r.Negated = true
				if f.e.negated != "" {
					r.addIntent(f.e.negated)
				}
				continue
			}
			r.addIntent(f.e.name)
		case kindWhole:
			if whole {
				r.addIntent(f.e.name)
			}
		case kindPlace:
			if r.Place == "" {
				r.Place = f.e.name
			}
		}
	}
	r.Danger, r.Suicide = danger(found)
	r.Lang, r.LangSure = pickLang(m.langs, scores)
	m.byScript(&r, text, scores)
	m.people(&r, text, canon, found, now)
	return r
}

// negatedAt reports whether a negation ends right before token start, or one word before
// it ("vill inte anmäla", "en halua tehdä rikosilmoitusta").
func negatedAt(ends []int, start int) bool {
	for _, e := range ends {
		if e <= start && start-e <= 1 {
			return true
		}
	}
	return false
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
