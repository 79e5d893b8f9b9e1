package understand

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Cues around a token, by token index, for reading ages.
const (
	cueBefore         uint32 = 1 << iota // the writer's own age follows: "jag är"
	cueBeforeOther                       // someone else's age follows: "han är"
	cueAfter                             // an age word starts here: "år", "years old"
	cueBorn                              // a birth year follows: "född"
	cueTurning                           // the age to be follows: "fyller"
	cueDuration                          // a time word starts here: "år sedan", "years ago"
	cueDurationBefore                    // a time follows: "i", "for"
	cueThen                              // an age in the past follows: "när jag var"
	cueNotAge                            // what follows is no age: "klockan", "buss"
	cueSexSaid                           // the writer said their sex just before: "jag är man, 41"
	cueWriter                            // a word for the writer starts here: "jag", "mig"
	cueBornAfter                         // a birth word starts here, after the year: "ኣብ 2009 ተወሊደ"
	cueAloneNext                         // may follow an age said alone: "17 and ...", "20 i vintras"
	cueThirdOf                           // a third person's: "his", "hennes"
	cueAfterThen                         // an age word of the age then starts here: "vuotiaana"
	cueSexLetter                         // a one-word Near sex starts or ends here: "34F", "m14"
	cueRoleOf                            // the writer's role and an Of word end here: "jag är en kvinna på"
)

// ageAt is an age read at a place in a message, with whose it is.
type ageAt struct {
	age Age
	// owner is "self" (said as the writer's), "bare" (said without a person, "16 år"),
	// "other" (said of a third person, "han är 12") or a relation ("child").
	owner string
	// start and end are the tokens of the number.
	start, end int
	// named is true when a person word stands right by the age ("ett barn på 4 år"), not
	// only a pronoun somewhere before it ("... hän on 76").
	named bool
	// sex is the sex of the person named for it, or "".
	sex string
	// kin is true when that person is someone else's kin or partner ("kaverin isoveli
	// (25)", "his wife"), not the writer's.
	kin bool
	// word is the last word naming that person ("bror" in "min bror"), or "".
	word string
}

// people reads who the message is about (the victim), their sex, the writer's age and the
// victim's age from text, its tokens toks and the phrases found in them.
func (m *Matcher) people(r *Reading, text string, toks []string, found []match, now time.Time) {
	n := len(toks)
	cues := make([]uint32, n+1)
	// starts marks the tokens that begin a sentence (and n), and clauseStarts those that
	// begin a clause (after a comma or a bracket too), found only when needed.
	var starts, clauseStarts []bool
	sentences := func() []bool {
		if starts == nil {
			starts = boundaries(text, ".!?;\n", n)
		}
		return starts
	}
	// layout gives, for each token, the word of text it is in and whether it starts a word
	// written with a capital (both nil when the words split otherwise than the message),
	// found once and only when needed.
	var fields []int
	var caps []bool
	laidOut := false
	layout := func() ([]int, []bool) {
		if !laidOut {
			fields, caps = layoutOf(text, n)
			laidOut = true
		}
		return fields, caps
	}
	clauses := func() []bool {
		if clauseStarts == nil {
			clauseStarts = boundaries(text, ".!?;\n,()", n)
		}
		return clauseStarts
	}
	// lead[i] is where the words before token i start when hedges end there: "kanske" in
	// "barnet e kanske 7" lets "7" read as if it followed "barnet e".
	lead := make([]int, n+1)
	for i := range lead {
		lead[i] = i
	}
	// alone reports whether the number in tokens [i, j) is said on its own: a sentence of
	// its own ("mamma vet inte. 14"), or opening one before an AloneNext word ("17 and
	// everything sucks"); not the whole message, an answer the engine reads.
	alone := func(i, j int) bool {
		if j-lead[i] == n {
			return false
		}
		st := sentences()
		return (st[i] || st[lead[i]]) && (st[j] || cues[j]&cueAloneNext != 0)
	}
	// apart reports whether the number in tokens [i, j) is a clause of its own, between
	// commas or in brackets: "Min mamma Kerstin, 72, fick besök", "I'm a pensioner, 74, I
	// live alone", "beats me (14)". Whose it is, the person right before it or the rest of
	// the message tells.
	apart := func(i, j int) bool {
		if j-lead[i] == n {
			return false
		}
		cl := clauses()
		return (cl[i] || cl[lead[i]]) && (cl[j] || cues[j]&cueAloneNext != 0)
	}
	// across reports whether a phrase runs over the end of a sentence, or ends one: the
	// words before an age tell nothing of one in the next sentence ("säger han. e 15" is no
	// "han e 15", "mitt rum. 15" no room number).
	across := func(f match) bool {
		if strings.IndexAny(text, ".!?;\n") < 0 {
			return false
		}
		st := sentences()
		for k := f.start + 1; k <= f.end && k < n; k++ {
			if st[k] {
				return true
			}
		}
		return false
	}
	var persons, ofs, schools, happened, nears, thirds, afters, harms, menaces, selves, ands []match
	self, writer, sexF, sexM := false, false, false, false
	selfN := 0 // words making the writer the one harmed
	for _, f := range found {
		switch f.e.kind {
		case kindWriter, kindSelf:
			cues[f.start] |= cueWriter
		}
		switch f.e.kind {
		case kindNotAge:
			if !across(f) {
				cues[f.end] |= cueNotAge
			}
		case kindNearF, kindNearM:
			nears = append(nears, f)
			if f.end-f.start == 1 {
				cues[f.start] |= cueSexLetter
				cues[f.end] |= cueSexLetter
			}
		case kindThirdF, kindThirdM:
			thirds = append(thirds, f)
		case kindBefore:
			if !across(f) {
				cues[f.end] |= cueBefore
			}
		case kindBeforeOther:
			if !across(f) {
				cues[f.end] |= cueBeforeOther
			}
		case kindAfter:
			cues[f.start] |= cueAfter
			afters = append(afters, f)
		case kindBorn:
			cues[f.end] |= cueBorn
			cues[f.start] |= cueBornAfter
		case kindAloneNext:
			cues[f.start] |= cueAloneNext
		case kindTurning:
			if !across(f) {
				cues[f.end] |= cueTurning
			}
		case kindDuration:
			cues[f.start] |= cueDuration
		case kindDurationBefore:
			if !across(f) {
				cues[f.end] |= cueDurationBefore
			}
		case kindThen:
			if !across(f) {
				cues[f.end] |= cueThen
			}
		case kindOf:
			ofs = append(ofs, f)
		case kindSchool:
			schools = append(schools, f)
		case kindPerson:
			persons = append(persons, f)
		case kindSelf:
			self = true
			selfN++
			selves = append(selves, f)
		case kindHarm:
			harms = append(harms, f)
		case kindThreatHarm:
			menaces = append(menaces, f)
		case kindThirdOf:
			if !across(f) { // not "blokkasin sen. sisko on 12"
				cues[f.start] |= cueThirdOf
			}
		case kindAfterThen:
			cues[f.start] |= cueAfter | cueAfterThen
			afters = append(afters, f)
		case kindWriter:
			writer = true
		case kindAnd:
			ands = append(ands, f)
		case kindHedge:
			if !across(f) {
				lead[f.end] = lead[f.start] // found is in the order of its start: chains carry
			}
		case kindHappened:
			happened = append(happened, f)
		case kindSexF:
			sexF = true
		case kindSexM:
			sexM = true
		}
		if f.e.kind == kindSexF || f.e.kind == kindSexM {
			// "jag är man, 41", "im a guy btw, 24", "jag e tjej o 14": the number right
			// after is the writer's age.
			cues[f.end] |= cueSexSaid
			if f.end < n {
				cues[f.end+1] |= cueSexSaid
			}
		}
	}
	// The words before a hedge count as if they stood right before the age after it.
	const carried = cueBefore | cueBeforeOther | cueBorn | cueTurning | cueDurationBefore | cueThen | cueNotAge | cueSexSaid
	for i := range lead {
		if lead[i] != i {
			cues[i] |= cues[lead[i]] & carried
		}
	}
	// A person the writer says they are ("jag e mamma", "i am his daughter", "oon hänen
	// tytär") is the writer: their sex, and the age right after is theirs. A child word
	// right after ("jag är pappa till en 12-åring") names the writer's child.
	kept := persons[:0]
	theirs := map[int]bool{} // the starts of persons who are someone else's kin
	for _, p := range persons {
		inside := false // "elev" in "en elev": the longer phrase names them
		for _, q := range persons {
			inside = inside || q.start <= p.start && q.end >= p.end && q.end-q.start > p.end-p.start
		}
		if inside {
			continue
		}
		k := p.start
		role := false
		for _, d := range []int{0, 1} {
			// Right after "jag är" (not a child word: "jag är pappa till en"), or after
			// "i am his"; not "min dotter", "im 52 male and my wife".
			if p.e.name == VictimOther && len(p.e.words) < 2 || k-d <= 0 || cues[k-d]&cueBefore == 0 || cues[k]&cueWriter != 0 ||
				d == 0 && p.e.name == VictimChild || d == 1 && cues[k-1]&cueThirdOf == 0 {
				continue
			}
			for w := max(0, k-d-3); w < k-d; w++ {
				role = role || cues[w]&cueWriter != 0
			}
		}
		if !role {
			if p.e.name != VictimOther && k > 0 && cues[k-1]&cueThirdOf != 0 {
				// "my neighbour is beating his wife", "kaverin isoveli (25)": someone else's
				// partner or kin.
				e := *p.e
				e.name = VictimOther
				p.e = &e
				theirs[p.start] = true
			}
			kept = append(kept, p)
			continue
		}
		switch p.e.sex {
		case "f":
			sexF = true
		case "m":
			sexM = true
		}
		cues[p.end] |= cueSexSaid
		for _, o := range ofs {
			if o.start == p.end {
				cues[o.end] |= cueSexSaid | cueRoleOf // "jag är en kvinna på 70 år"
			}
		}
	}
	persons = kept
	// newSentence reports whether a sentence starts in tokens (a, b].
	newSentence := func(a, b int) bool {
		if strings.IndexAny(text, ".!?;\n") < 0 {
			return false
		}
		for k := a + 1; k <= b && k <= n; k++ {
			if sentences()[k] {
				return true
			}
		}
		return false
	}
	// ofAt reports whether an Of word ends at token i ("min dotter på 13 år": "på" is both).
	ofAt := func(i int) bool {
		for _, o := range ofs {
			if o.end == i || o.end == lead[i] {
				return true
			}
		}
		return false
	}
	// writerBetween reports whether a word for the writer starts in tokens [a, b).
	writerBetween := func(a, b int) bool {
		for k := a; k < b; k++ {
			if cues[k]&cueWriter != 0 {
				return true
			}
		}
		return false
	}

	// pronoun reports whether a person is only a pronoun or the like ("han", "nån",
	// "someone"): one word for no one in particular.
	pronoun := func(p match) bool { return p.e.name == VictimOther && p.end-p.start == 1 }
	// named is set by whoBefore and whoAfter: whether the person they found is more than a
	// pronoun ("ett barn på 4 år", not "nu e hon 19").
	named, ownerSex, ownerKin, ownerWord := false, "", false, ""
	// whoBefore returns the relation of a person named right before token i, directly or
	// joined by an Of word up to two words after them ("min dotter 13", "min dotter på 13",
	// "my friend at school is 15"), or "".
	whoBefore := func(i int) string {
		// Right before the age, before the hedges before it ("barnet e kanske 7"), or before
		// a name ("min mamma Kerstin, 72").
		ats := []int{i, lead[i]}
		_, caps := layout()
		if k := nameBefore(caps, i); k < i && !sentences()[k] {
			ats = append(ats, k)
		}
		for k := len(persons) - 1; k >= 0; k-- {
			p := persons[k]
			for _, at := range ats {
				if p.end == at && !newSentence(at-1, i) { // not "... min pappa. 14"
					named, ownerSex, ownerKin, ownerWord = !pronoun(p), p.e.sex, theirs[p.start], tail(p)
					return p.e.name
				}
				for _, o := range ofs {
					// "min dotter på 13", "my friend at school is 15"; not "pappa. jag e 17", nor
					// "han e full. e 13". A pronoun joins only the age right after it ("han e
					// 13"), not "pappa slår mig när han e full, e 13".
					gap := 2
					if pronoun(p) {
						gap = 0
					}
					if p.end <= o.start && o.start-p.end <= gap && o.end == at && !writerBetween(p.end, o.start) && !newSentence(p.end-1, i) {
						named, ownerSex, ownerKin, ownerWord = !pronoun(p), p.e.sex, theirs[p.start], tail(p)
						return p.e.name
					}
				}
			}
		}
		return ""
	}
	// whoAfter returns the relation of a person named right after the age word at token j,
	// or at j for a number word with the age word glued on ("12-åriga dotter", "12 year old
	// daughter", "sextonårig kille"), or "". Not a partner ("۲۵ سالمه و شوهر سابقم", I am
	// 25 and my ex-husband ...).
	whoAfter := func(j int) string {
		at := []int{j}
		for _, a := range afters {
			if a.start == j {
				at = append(at, a.end)
			}
		}
		for _, p := range persons {
			for _, k := range at {
				if p.start == k && k < n && !sentences()[k] && p.e.name != VictimPartner {
					named, ownerSex, ownerWord = true, p.e.sex, tail(p)
					return p.e.name
				}
			}
		}
		return ""
	}
	// whoNear returns the relation of the last person named up to six words before token
	// i, for "han är 12" after "min son", or "other".
	whoNear := func(i int) string {
		// The pronoun's sex, when it has one: "hes 30" after "my mum" is not hers.
		psex := ""
		for _, p := range persons {
			if pronoun(p) && p.start >= i-3 && p.end <= i {
				psex = p.e.sex
			}
		}
		reach := 6
		if psex != "" {
			reach = 12 // "my little sister told me our dad touches her at night. she is 9"
		}
		for k := len(persons) - 1; k >= 0; k-- {
			if p := persons[k]; p.end <= i && i-p.end <= reach && p.e.name != VictimOther && p.e.name != VictimPartner && (psex == "" || p.e.sex == "" || p.e.sex == psex) {
				ownerSex, ownerWord = p.e.sex, tail(p)
				return p.e.name
			}
		}
		ownerSex = psex
		return VictimOther
	}

	// ageWord returns the end of an age word starting at token k ("år"), or k.
	ageWord := func(k int) int {
		for _, a := range afters {
			if a.start == k {
				return a.end
			}
		}
		return k
	}
	// listed reports whether the number in tokens [i, j) is one of a list of ages joined by
	// an And word, with or without an age word: "3 och 7", "4, 7 o 10 år", "7 år och 9 år".
	listed := func(i, j int) bool {
		for _, a := range ands {
			if a.start == ageWord(j) && a.end < n && isDigits(toks[a.end]) {
				if v, _, _ := m.number(toks, a.end); v >= 1 && v <= 99 && cues[a.end+1]&cueDuration == 0 {
					return true
				}
			}
			if a.end == i && a.start > 0 {
				for k := a.start - 1; k >= max(0, a.start-2); k-- {
					if isDigits(toks[k]) && ageWord(k+1) == a.start && len(toks[k]) <= 2 {
						return true
					}
				}
			}
		}
		return false
	}

	// inWord reports whether the digits at token i are letters of a word, as Arabizi and
	// Finglish write them ("e7ki", "3omri", "sa7bi"): letters follow in the same word that
	// are no age, unit or sex word ("16år", "5k", "34F" are numbers).
	inWord := func(i int) bool {
		fields, _ := layout()
		if fields == nil || i+1 >= n || !isDigits(toks[i]) || fields[i+1] != fields[i] || isDigits(toks[i+1]) {
			return false
		}
		return cues[i+1]&(cueAfter|cueDuration|cueSexLetter|cueAfterThen) == 0
	}

	var ages []ageAt
	for _, s := range schools {
		named, ownerSex, ownerKin, ownerWord = false, "", false, ""
		owner := whoBefore(s.start)
		if owner == "" {
			owner = "bare"
		}
		ages = append(ages, ageAt{Age{s.e.min, s.e.max}, owner, s.start, s.end, true, ownerSex, ownerKin, ownerWord})
	}
	for i := 0; i < n; i++ {
		v, width, glued := m.number(toks, i)
		if v <= 0 {
			continue
		}
		j := i + width
		word := !isDigits(toks[i])
		single := !word && v >= 10 && v <= 99 && alone(i, j)
		bracketed := !word && v >= 10 && v <= 99 && !single && apart(i, j) && !minus(text, toks[i])
		owner := func() string {
			named, ownerSex, ownerKin, ownerWord = false, "", false, ""
			if single {
				return "self" // "mamma vet inte. 14": the writer's, who else's
			}
			if cues[i]&cueBeforeOther != 0 {
				return whoNear(i)
			}
			if w := whoBefore(i); w != "" {
				if w == VictimOther && !named && cues[i]&cueSexSaid != 0 {
					named, ownerSex = false, ""
					return "self" // "oon mies, 30v": the writer said who they are
				}
				return w // "min son e 16": "e" joins the son and his age
			}
			for _, p := range persons {
				if p.start == j && cues[j]&cueAfter != 0 && p.e.name != VictimPartner {
					named, ownerSex, ownerWord = true, p.e.sex, tail(p)
					return p.e.name // "oon 12-vuotiaan isä": the age word names the person
				}
			}
			if cues[i]&cueBefore != 0 || cues[i]&cueSexSaid != 0 && v >= 10 {
				return "self"
			}
			if glued || cues[j]&cueAfter != 0 {
				if w := whoAfter(j); w != "" {
					return w
				}
			}
			return "bare"
		}
		if cues[i]&cueBorn != 0 || (i > 0 && cues[i-1]&cueBorn != 0 && isDigits(toks[i])) || cues[j]&cueBornAfter != 0 && len(toks[i]) == 4 && isDigits(toks[i]) {
			if a, ok := fromBirthYear(toks[i], now); ok {
				o := owner()
				ages = append(ages, ageAt{a, o, i, j, true, ownerSex, ownerKin, ownerWord})
			}
			continue
		}
		if v > 99 || cues[i]&(cueThen|cueNotAge) != 0 || inWord(i) {
			continue
		}
		if j < n && isDigits(toks[j]) || i > 0 && isDigits(toks[i-1]) && len(toks[i-1]) >= 2 {
			// "85 000", "070 123 45 67", "18-20 år": a sum, a phone number, a range; not
			// "åk 4 (10 år)".
			continue
		}
		if i > 0 && decimal(text, toks[i-1], toks[i]) {
			continue // "fick 1,5 år": half a number
		}
		if listed(i, j) {
			continue // "barnen är 3 och 7": two children, no one age
		}
		// A time, not an age: "för två år sedan", "12 years ago", "gift i tolv år", "i snart
		// 3 år" (before "snart 18").
		if cues[j]&cueDuration != 0 || cues[i]&cueDurationBefore != 0 && cues[j]&cueAfter != 0 && cues[i]&(cueBefore|cueBeforeOther|cueRoleOf) == 0 && !(ofAt(i) && whoBefore(i) != "") {
			continue
		}
		if cues[i]&cueTurning != 0 && v >= 2 {
			o := owner()
			ages = append(ages, ageAt{Age{v - 1, v - 1}, o, i, j, true, ownerSex, ownerKin, ownerWord})
			continue
		}
		// A small number word ("en", "ett", "one") is an age only with an age word after it:
		// "jag är en tjej" says nothing about age.
		said := cues[i]&(cueBefore|cueBeforeOther) != 0 && (!word || v >= 10) || cues[i]&cueSexSaid != 0 && v >= 10 ||
			single || bracketed || !word && v >= 10 && (cues[i]|cues[j])&cueSexLetter != 0
		if glued || cues[j]&cueAfter != 0 || said || whoBefore(i) != "" && (!word || v >= 10) {
			o := owner()
			if o == VictimPartner && v < 15 {
				o = VictimChild // "min tjej e 10": a child, not a partner
			}
			ages = append(ages, ageAt{Age{v, v}, o, i, j, named, ownerSex, ownerKin, ownerWord})
		}
	}
	for k := range ages {
		if ages[k].owner == "bare" && cues[ages[k].start]&cueSexSaid != 0 && ages[k].age.Max >= 10 {
			ages[k].owner = "self"
		}
	}
	// In the order they are said (school years were read first).
	slices.SortStableFunc(ages, func(x, y ageAt) int { return x.start - y.start })
	// An age then ("16-vuotiaana") only when no age now is said.
	var current []ageAt
	for _, a := range ages {
		if cues[a.end]&cueAfterThen == 0 {
			current = append(current, a)
		}
	}
	if len(current) > 0 {
		ages = current
	}
	// A sex said right next to the writer's own age: "jag (k 31)", "I'm 35 and a man.";
	// words after it end the sentence, but for one ("16 f"): not "i'm 13 and a man in a
	// car tried ...".
	for k, a := range ages {
		if a.owner != "self" && a.owner != "bare" {
			continue
		}
		for _, f := range nears {
			one := f.end-f.start == 1
			if f.start == a.end && (one || a.owner == "self" && sentences()[f.end]) || f.end == a.start && (one || a.owner == "self") {
				// "34F here", "m14 got beaten up": a bare age with a sex letter is the writer's.
				ages[k].owner = "self"
				sexF = sexF || f.e.kind == kindNearF
				sexM = sexM || f.e.kind == kindNearM
			}
		}
	}

	// Who the message is about: a child of the writer first ("min dotter blev rånad"),
	// then the writer when words say it is them ("slår mig", "jag blev"), then family,
	// partner, friend named ("min kompis blev slagen"), then the writer when they speak of
	// themselves at all ("jag"), then anyone else ("hon blev rånad").
	var victim, sex string
	last := func(who string) (match, bool) {
		for k := len(persons) - 1; k >= 0; k-- {
			if persons[k].e.name == who {
				return persons[k], true
			}
		}
		return match{}, false
	}
	// A person given an age is the one the message is about ("min kompis e 13 o blev
	// rånad ... sina föräldrar"); a partner only when the writer gives no age of their own
	// ("my girlfriend is 19 and her dad beats her", not "ja e 18 o min kille e 25").
	// But the writer's own age with words making them the one harmed makes them the one,
	// before a friend ("ja e 20 o min kompis 19, vi blev jagade") or an older relative ("Jag
	// är 16 och min pappa är 45. Han slår mig"), not before a younger one ("min lillebror e
	// 6 ... ja e 15") or their child.
	selfAge, own := false, Age{}
	for _, a := range ages {
		if a.owner == "self" && !selfAge {
			selfAge, own = true, a.age
		}
	}
	// Harm done to the writer ("slår mig", "hits me", "lyö mua"): then a relative, friend
	// or partner given an age is, unless it happened to them, the one who harms ("my dad is
	// 50 and he hits me").
	harmed := false
	for _, h := range harms {
		for _, s := range selves {
			harmed = harmed || s.start >= h.start && s.start <= h.end
		}
	}
	hit := func(a ageAt) bool {
		for _, h := range happened {
			if h.start >= a.end && h.start-a.end <= 2 {
				return true
			}
		}
		return false
	}
	// Of two people given an age, the one a harm word is done to ("isä on 55 ja äiti 52,
	// isä lyö äitiä") comes before the one who does it, whose age is not the victim's.
	// A harm word with a person right after it ("slår mamma") is done to them, by the person
	// right before it, or before the age before it ("min bror 30 slår mamma"); not "min
	// dotter 14 blir förföljd av en kille".
	struck, strikes := map[string]bool{}, map[string]bool{}
	for _, h := range append(harms[:len(harms):len(harms)], menaces...) {
		done := false
		for _, p := range persons {
			if p.e.name != VictimOther && h.end == p.start {
				struck[tail(p)], done = true, true
			}
		}
		if !done {
			continue
		}
		for _, p := range persons {
			if p.e.name != VictimOther && h.start == p.end {
				strikes[tail(p)] = true
			}
		}
		for _, a := range ages {
			if a.word != "" && h.start == ageWord(a.end) {
				strikes[a.word] = true
			}
		}
	}
	rank := func(a ageAt) int {
		switch k := a.word; {
		case struck[k] && !strikes[k]:
			return 0
		case strikes[k] && !struck[k]:
			return 2
		}
		return 1
	}
	slices.SortStableFunc(ages, func(x, y ageAt) int { return rank(x) - rank(y) })
	doers := ages[:0]
	for _, a := range ages {
		if rank(a) < 2 {
			doers = append(doers, a)
		}
	}
	ages = doers

	// doer reports whether the person an age is said of is, by the words, the one who
	// harms the writer: a relative, friend, partner or grown-up child ("my son is 25 and
	// he hits me") it did not happen to.
	doer := func(a ageAt) bool {
		return harmed && !hit(a) && (a.owner == VictimRelative || a.owner == VictimFriend || a.owner == VictimPartner || a.owner == VictimChild && a.age.Min >= 18)
	}
	for _, a := range ages {
		if self && selfAge && (a.owner == VictimFriend || a.owner == VictimRelative && a.age.Max >= own.Min) || selfAge && a.owner == VictimPartner {
			continue
		}
		if doer(a) {
			continue
		}
		if a.owner == VictimChild || a.owner == VictimRelative || a.owner == VictimFriend || a.owner == VictimPartner {
			victim, sex = a.owner, a.sex // "my little sister is 11 and our stepdad hits her": f
			break
		}
	}
	_, partner := last(VictimPartner)
	// A partner it happened to ("min fru blev nerslagen", "my husband died") is the victim.
	for _, p := range persons {
		for _, h := range happened {
			if victim == "" && p.e.name == VictimPartner && h.start >= p.end && h.start-p.end <= 1 {
				victim, sex = VictimPartner, p.e.sex
			}
		}
	}
	// Someone else's child or a pupil given an age ("ett barn på 4 år", "en elev (14)"),
	// when the writer names no child of their own and gives no sign it is them; or a child
	// younger than a writer who gives their own age and is not the one harmed ("grannen
	// skriker på sin son, kanske 7 år ... jag är 66"), or one it happened to ("en äldre
	// dam, 90 år, som blev överfallen ... jag är 58").
	_, child := last(VictimChild)
	if victim == "" && !child {
		for _, a := range ages {
			younger := selfAge && !harmed && a.age.Max < 18 && a.age.Max < own.Min
			if a.owner == VictimOther && a.named && (!self && !selfAge || younger || hit(a) && !harmed) {
				victim = VictimOther
				break
			}
		}
	}
	// A partner spoken of as the one harmed ("min tjej ... en bil följde efter henne", "min
	// pojkvän hotar att ta livet av sig om jag gör slut med honom") may be the victim, or
	// the writer may be ("I moved here for him", "hon ringer mig"): which, the words do not
	// say, so neither sex is guessed.
	unsure := false
	if p, ok := last(VictimPartner); ok && victim == "" && !child {
		for _, t := range thirds {
			tsex := "f"
			if t.e.kind == kindThirdM {
				tsex = "m"
			}
			if t.start >= p.end && p.e.sex == tsex && (!self || len(thirds) > selfN) {
				unsure = true
				if !self && !selfAge {
					victim = VictimPartner
				}
				break
			}
		}
	}
	// A child named beside the writer's own age is the child only when it happened to them
	// ("min son blev slagen"), not in "Olen 67-vuotias ja mut ryöstettiin, mun poika soitti
	// poliisille" or "I am 72. Someone texted pretending to be my son": a writer who gives
	// their age and no other age writes of themselves.
	childHit := false
	for _, a := range ages {
		childHit = childHit || a.owner != "self" && !doer(a)
	}
	if p, ok := last(VictimChild); ok {
		for _, h := range happened {
			childHit = childHit || h.start >= p.end && h.start-p.end <= 2
		}
	}
	if victim != "" {
		// Given above.
	} else if p, ok := last(VictimChild); ok && !(self && partner) && !(selfAge && !childHit) {
		// ("my husband locked me in, I write from my son's ipad": the writer.)
		victim, sex = VictimChild, p.e.sex
	} else if self {
		victim = VictimSelf
	} else {
		// A partner named is, in what residents write here, nearly always the one who harms
		// ("min fru slår mig", "my wife checks my phone"): the writer is the victim.
		for _, who := range []string{VictimRelative, VictimFriend, VictimSelf, VictimOther} {
			if who == VictimSelf {
				// The writer speaks of themselves ("jag är 16, han tog min telefon"):
				// they are the one, but that is no reason to forget someone named before.
				if writer || sexF || sexM {
					break
				}
				continue
			}
			if p, ok := last(who); ok {
				victim, sex = who, p.e.sex
				if who == VictimOther {
					// "han", "a guy" is as often the one who harms: their sex only when
					// it happened to them ("en kille blev nerslagen").
					sex = ""
					for _, h := range happened {
						if h.start >= p.end && h.start-p.end <= 1 {
							sex = p.e.sex
						}
					}
				}
				break
			}
		}
	}
	// Someone named, but only the writer's own age said ("e sexton o blev rånad, mamma sa
	// att ja skulle skriva hit"): the writer is the one.
	if victim == VictimRelative || victim == VictimFriend || victim == VictimOther || victim == VictimPartner {
		owned := false
		for _, a := range ages {
			// Not "hes 30" beside "my mum": another person's.
			owned = owned || a.owner == victim || a.owner == VictimOther && !a.kin && (a.sex == "" || sex == "" || a.sex == sex)
		}
		if selfAge && !owned {
			victim, sex = "", ""
		}
	}
	if victim == "" || victim == VictimSelf {
		sex = ""
		switch {
		case sexF && !sexM:
			sex = "f"
		case sexM && !sexF:
			sex = "m"
		case !sexF && !sexM && !unsure:
			// The partner's sex tells the writer's only as a default: "min fru" → m. The
			// sex of someone else who harms tells nothing: "en kille våldtog mig" is written
			// by men too (on the corpus that guess was wrong one time in three).
			r.SexGuessed = true
			if p, ok := last(VictimPartner); ok {
				sex = opposite(p.e.sex)
			}
		}
	}
	r.Victim, r.Sex = victim, sex
	r.SexGuessed = r.SexGuessed && sex != ""

	// The writer's own age: said as theirs ("jag är 58"), or bare ("58 år") when they do not
	// write about their child.
	for _, a := range ages {
		if a.owner == "self" && !r.Writer.Known() {
			r.Writer = a.age
		}
	}
	for _, a := range ages {
		if a.owner == "bare" && !r.Writer.Known() && victim != VictimChild {
			r.Writer = a.age
		}
	}
	pick := func(ok func(owner string) bool) bool {
		for _, a := range ages {
			if ok(a.owner) {
				r.Age, r.AgeSelf = a.age, a.owner == "self"
				return true
			}
		}
		return false
	}
	switch victim {
	case "", VictimSelf:
		// The first age said as the writer's, else the first said without a person: "we're
		// 18" before "in 9th grade".
		_ = pick(func(o string) bool { return o == "self" }) || pick(func(o string) bool { return o == "bare" })
		if !r.Age.Known() && !harmed {
			// Failing that, an age said of "hon", "tyttö": not one said of a relative,
			// friend, partner or child named ("min pappa är 45 och slår mig"), nor of
			// anyone when someone harms the writer ("han är 25 och slår mig").
			pick(func(o string) bool { return o == VictimOther })
		}
	default:
		_ = pick(func(o string) bool { return o == victim }) ||
			pick(func(o string) bool { return o == VictimOther }) ||
			pick(func(o string) bool { return o == "bare" })
	}
}

// boundaries marks the tokens of text (n of them) that begin a piece of it between the
// marks (and n): sentences between ".!?", clauses between ",()" too.
func boundaries(text, marks string, n int) []bool {
	starts := make([]bool, n+1)
	starts[0], starts[n] = true, true
	if strings.IndexAny(text, marks) < 0 {
		return starts // one piece
	}
	k := 0
	for rest := text; rest != ""; {
		piece := rest
		if cut := strings.IndexAny(rest, marks); cut >= 0 {
			piece, rest = rest[:cut], rest[cut+1:]
		} else {
			rest = ""
		}
		// The marks normalise to a space, so the pieces' tokens are the message's.
		if k += len(Tokens(Normalize(piece))); k <= n {
			starts[k] = true
		}
	}
	return starts
}

// nameBefore returns where a name of one or two words written with a capital ("Kerstin",
// "Sven-Erik") starts when it ends at token i, or i when none does; caps is layoutOf's
// (nil: no name is told).
func nameBefore(caps []bool, i int) int {
	k := i
	for k > 0 && k <= len(caps) && i-k < 2 && caps[k-1] {
		k--
	}
	return k
}

// layoutOf returns, for each of the n tokens of text, the number of the whitespace-separated
// word of text it is in ("16år" is one word of two tokens) and whether it starts a word
// (split at spaces and hyphens: "Sven-Erik" is two) written with a capital; or nil, nil
// when the words split otherwise than the message.
func layoutOf(text string, n int) ([]int, []bool) {
	words, caps := make([]int, 0, n), make([]bool, 0, n)
	for k, field := range strings.Fields(text) {
		for _, part := range strings.Split(field, "-") {
			first, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(part, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }))
			for t := range Tokens(Normalize(part)) {
				words, caps = append(words, k), append(caps, t == 0 && unicode.IsUpper(first))
			}
		}
	}
	if len(words) != n {
		return nil, nil
	}
	return words, caps
}

// decimal reports whether the digits tok follow the digits prev and a decimal mark in text:
// "1,5 år" is no 5.
func decimal(text, prev, tok string) bool {
	return isDigits(prev) && (strings.Contains(text, prev+","+tok) || strings.Contains(text, prev+"."+tok))
}

// minus reports whether the digits tok follow a minus sign in text: "-15" outside is cold.
func minus(text, tok string) bool {
	return strings.Contains(text, "-"+tok) || strings.Contains(text, "−"+tok)
}

// tail returns the last word naming a person: "bror" in "min bror".
func tail(p match) string { return p.e.words[len(p.e.words)-1] }

// opposite returns the other sex, or "".
func opposite(sex string) string {
	switch sex {
	case "f":
		return "m"
	case "m":
		return "f"
	}
	return ""
}
