package understand

import "time"

// Cues around a token, by token index, for reading ages.
const (
	cueBefore         uint16 = 1 << iota // the writer's own age follows: "jag är"
	cueBeforeOther                       // someone else's age follows: "han är"
	cueAfter                             // an age word starts here: "år", "years old"
	cueBorn                              // a birth year follows: "född"
	cueTurning                           // the age to be follows: "fyller"
	cueDuration                          // a time word starts here: "år sedan", "years ago"
	cueDurationBefore                    // a time follows: "i", "for"
	cueThen                              // an age in the past follows: "när jag var"
)

// ageAt is an age read at a place in a message, with whose it is.
type ageAt struct {
	age Age
	// owner is "self" (said as the writer's), "bare" (said without a person, "16 år"),
	// "other" (said of a third person, "han är 12") or a relation ("child").
	owner string
}

// people reads who the message is about (the victim), their sex, the writer's age and the
// victim's age.
func (m *Matcher) people(r *Reading, toks []string, found []match, now time.Time) {
	n := len(toks)
	cues := make([]uint16, n+1)
	var persons, ofs, schools, happened []match
	self, writer, sexF, sexM := false, false, false, false
	for _, f := range found {
		switch f.e.kind {
		case kindBefore:
			cues[f.end] |= cueBefore
		case kindBeforeOther:
			cues[f.end] |= cueBeforeOther
		case kindAfter:
			cues[f.start] |= cueAfter
		case kindBorn:
			cues[f.end] |= cueBorn
		case kindTurning:
			cues[f.end] |= cueTurning
		case kindDuration:
			cues[f.start] |= cueDuration
		case kindDurationBefore:
			cues[f.end] |= cueDurationBefore
		case kindThen:
			cues[f.end] |= cueThen
		case kindOf:
			ofs = append(ofs, f)
		case kindSchool:
			schools = append(schools, f)
		case kindPerson:
			persons = append(persons, f)
		case kindSelf:
			self = true
		case kindWriter:
			writer = true
		case kindHappened:
			happened = append(happened, f)
		case kindSexF:
			sexF = true
		case kindSexM:
			sexM = true
		}
	}

	// whoBefore returns the relation of a person named right before token i, directly or
	// joined by an Of word up to two words after them ("min dotter 13", "min dotter på 13",
	// "my friend at school is 15"), or "".
	whoBefore := func(i int) string {
		for k := len(persons) - 1; k >= 0; k-- {
			p := persons[k]
			if p.end == i {
				return p.e.name
			}
			for _, o := range ofs {
				// "min dotter på 13", "my friend at school is 15".
				if p.end <= o.start && o.start-p.end <= 2 && o.end == i {
					return p.e.name
				}
			}
		}
		return ""
	}
	// whoAfter returns the relation of a person named within three words from token j
	// ("12-åriga dotter", "12 year old daughter"), or "".
	whoAfter := func(j int) string {
		for _, p := range persons {
			if p.start >= j && p.start-j <= 3 {
				return p.e.name
			}
		}
		return ""
	}
	// whoNear returns the relation of the last person named up to six words before token
	// i, for "han är 12" after "min son", or "other".
	whoNear := func(i int) string {
		for k := len(persons) - 1; k >= 0; k-- {
			if p := persons[k]; p.end <= i && i-p.end <= 6 && p.e.name != VictimOther && p.e.name != VictimPartner {
				return p.e.name
			}
		}
		return VictimOther
	}

	var ages []ageAt
	for _, s := range schools {
		owner := whoBefore(s.start)
		if owner == "" {
			owner = "bare"
		}
		ages = append(ages, ageAt{Age{s.e.min, s.e.max}, owner})
	}
	for i := 0; i < n; i++ {
		v, width, glued := m.number(toks, i)
		if v <= 0 {
			continue
		}
		j := i + width
		owner := func() string {
			if cues[i]&cueBeforeOther != 0 {
				return whoNear(i)
			}
			if w := whoBefore(i); w != "" {
				return w // "min son e 16": "e" joins the son and his age
			}
			if cues[i]&cueBefore != 0 {
				return "self"
			}
			if glued || cues[j]&cueAfter != 0 {
				if w := whoAfter(j); w != "" {
					return w
				}
			}
			return "bare"
		}
		if cues[i]&cueBorn != 0 || (i > 0 && cues[i-1]&cueBorn != 0 && isDigits(toks[i])) {
			if a, ok := fromBirthYear(toks[i], now); ok {
				ages = append(ages, ageAt{a, owner()})
			}
			continue
		}
		if v > 99 || cues[i]&cueThen != 0 {
			continue
		}
		if cues[i]&cueTurning != 0 && v >= 2 {
			ages = append(ages, ageAt{Age{v - 1, v - 1}, owner()})
			continue
		}
		// A time, not an age: "för två år sedan", "12 years ago", "gift i tolv år".
		if cues[j]&cueDuration != 0 || cues[i]&cueDurationBefore != 0 && cues[j]&cueAfter != 0 && cues[i]&(cueBefore|cueBeforeOther) == 0 && whoBefore(i-1) == "" {
			continue
		}
		// A small number word ("en", "ett", "one") is an age only with an age word after it:
		// "jag är en tjej" says nothing about age.
		word := !isDigits(toks[i])
		said := cues[i]&(cueBefore|cueBeforeOther) != 0 && (!word || v >= 10)
		if glued || cues[j]&cueAfter != 0 || said || whoBefore(i) != "" && (!word || v >= 10) {
			ages = append(ages, ageAt{Age{v, v}, owner()})
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
	// rånad ... sina föräldrar").
	for _, a := range ages {
		if a.owner == VictimChild || a.owner == VictimRelative || a.owner == VictimFriend {
			victim = a.owner
			if p, ok := last(a.owner); ok {
				sex = p.e.sex
			}
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
	if victim != "" {
		// Given above.
	} else if p, ok := last(VictimChild); ok && !(self && partner) {
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
				break
			}
		}
	}
	// Someone named, but only the writer's own age said ("e sexton o blev rånad, mamma sa
	// att ja skulle skriva hit"): the writer is the one.
	if victim == VictimRelative || victim == VictimFriend || victim == VictimOther || victim == VictimPartner {
		owned, selfAge := false, false
		for _, a := range ages {
			owned = owned || a.owner == victim || a.owner == VictimOther
			selfAge = selfAge || a.owner == "self"
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
		case !sexF && !sexM:
			// The partner's sex tells the writer's only as a default: "min fru" → m; and
			// so, failing that, does the one other person spoken of: "han slog mig" → f.
			if p, ok := last(VictimPartner); ok {
				sex = opposite(p.e.sex)
			}
			if sex == "" {
				he, she := false, false
				for _, p := range persons {
					he = he || p.e.name == VictimOther && p.e.sex == "m"
					she = she || p.e.name == VictimOther && p.e.sex == "f"
				}
				switch {
				case he && !she:
					sex = "f"
				case she && !he:
					sex = "m"
				}
			}
		}
	}
	r.Victim, r.Sex = victim, sex

	for _, a := range ages {
		if (a.owner == "self" || a.owner == "bare") && !r.Writer.Known() && victim != VictimChild {
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
		pick(func(o string) bool { return o == "self" || o == "bare" }) // the first age said
		if !r.Age.Known() {
			pick(func(o string) bool { return true })
		}
	default:
		_ = pick(func(o string) bool { return o == victim }) ||
			pick(func(o string) bool { return o == VictimOther }) ||
			pick(func(o string) bool { return o == "bare" })
	}
}

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
