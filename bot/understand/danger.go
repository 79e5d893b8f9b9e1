package understand

// threatReach is how many words after a threat word ("ska", "hotar att") the harm it
// announces may stand: "han sa att han ska komma hem och döda mig".
const threatReach = 5

// nowReach is how far apart a harm word and a word for now may stand to mean harm now:
// "han slår mig nu" is, "nu är jag 34 och min man slår mig" is not.
const nowReach = 4

// othersReach is how many words may stand between a harm word and the person at home it
// is done to: "slår mamma", "slår sin fru igen".
const othersReach = 1

// habitReach is how many words after a harm a habit word may stand to make it a habit:
// "slår mig när han är full", "låser in mig på rummet när hen blir arg".
const habitReach = 4

// pastReach is how many words after a harm a past word may stand to place that harm in
// the past: "slog mig i våras", "hit me last week".
const pastReach = 2

// jestReach is how far after a danger word a jest word ("haha", "lol") may stand to take
// it back: "sköt ihjäl typ 40 pers haha".
const jestReach = 8

// danger reads the danger signals among the phrases found: whether someone seems to be in
// danger now (or is threatened with harm), and whether someone may take their life.
func danger(found []match) (bool, bool) {
	d, s, _ := dangerWhy(found)
	return d, s
}

// dangerWhy is danger, and the rule that decided ("" when no danger was read).
//
// The rule kinds, each fed by a list of a lexicon's danger section:
//   - suicide words, and suicide pairs (two words near each other: "vill" … "dö");
//   - threat and now pairs;
//   - always words (a knife, someone at the door), unless the message tells of them as past
//     and says nothing of now, or as a habit;
//   - a threat word ("ska", "sa att", "nästa gång") followed by a harm it announces
//     (threat_harm: "döda", "få stryk", "hälla bensin");
//   - a harm word near a now word ("slår mig nu"), or right before a person at home
//     ("slår mamma"), unless a habit word follows the harm ("slår mig när han är full").
//
// Danger phrases match only as written (see Danger); idioms ("döda tiden", "skjuta upp")
// cover their words, which then mean nothing. A jest word ("haha", "på skämt") takes back
// every reading but suicide within jestReach words before it.
func dangerWhy(found []match) (bool, bool, string) {
	var idioms []match
	for _, f := range found {
		if f.e.kind == kindIdiom {
			idioms = append(idioms, f)
		}
	}
	inIdiom := func(f match) bool {
		for _, i := range idioms {
			if f.start < i.end && i.start < f.end {
				return true
			}
		}
		return false
	}
	var past, now bool
	var always, harms, nows, threats, threatHarms, others, pairA, pairB, habits, pasts, jests []match
	for _, f := range found {
		if !f.e.kind.exact() || f.e.kind == kindIdiom || inIdiom(f) {
			continue
		}
		switch f.e.kind {
		case kindAlways:
			always = append(always, f)
		case kindPast:
			past = true
			pasts = append(pasts, f)
		case kindJest:
			jests = append(jests, f)
		case kindHabit:
			habits = append(habits, f)
		case kindNow:
			now = true
			nows = append(nows, f)
		case kindSuicide:
			return true, true, "suicide"
		case kindHarm:
			harms = append(harms, f)
		case kindThreat:
			threats = append(threats, f)
		case kindThreatHarm:
			threatHarms = append(threatHarms, f)
		case kindOthers:
			others = append(others, f)
		case kindPairA:
			pairA = append(pairA, f)
		case kindPairB:
			pairB = append(pairB, f)
		}
	}
	// A jest right after what was read takes it back ("tentan kommer döda mig lol"); a
	// jest before it ("11 YEARS lol sorry. A neighbour said he'll set his dog on her")
	// does not.
	joking := func(f match) bool {
		for _, j := range jests {
			if j.start >= f.end && j.start-f.end <= jestReach {
				return true
			}
		}
		return false
	}
	// A habit word right after a harm: it keeps happening, it is not happening now.
	habitual := func(h match) bool {
		for _, x := range habits {
			if x.e.lang == h.e.lang && x.start >= h.end && x.start-h.end <= habitReach {
				return true
			}
		}
		return false
	}
	// Two words near each other: "vill" … "dö", "ta" … "livet".
	pairNow, pairThreat := false, false
	for _, a := range pairA {
		for _, b := range pairB {
			if a.e.pair != b.e.pair || a.start < b.end && b.start < a.end {
				continue
			}
			gap := b.start - a.end
			if a.start > b.start {
				gap = a.start - b.end
			}
			if gap > a.e.pair.reach {
				continue
			}
			switch a.e.pair.kind {
			case "suicide":
				return true, true, "suicide pair"
			case "threat", "still":
				pairThreat = pairThreat || !joking(a) && !joking(b)
			case "now":
				pairNow = pairNow || !joking(a) && !joking(b)
			}
		}
	}
	if pairThreat {
		return true, false, "threat pair"
	}
	if pairNow && (!past || now) {
		return true, false, "now pair"
	}
	// A knife, someone at the door: danger, unless the message tells of it as past
	// ("blev rånad med kniv förra veckan") and says nothing of now.
	if !past || now {
		for _, a := range always {
			if !habitual(a) && !joking(a) {
				return true, false, "always"
			}
		}
	}
	// A threat of harm: "hotar att döda mig", "ska skjuta mig", "is going to kill me".
	// A harm in the present that is a habit, away from the threat word, is told, not
	// threatened: "hon sa att hennes pappa slår henne när hon inte äter" (but "he'll hit me
	// when he gets home" is a threat).
	present := func(h match) bool {
		for _, x := range harms {
			if x.start == h.start {
				return true
			}
		}
		return false
	}
	for _, t := range threats {
		for _, h := range threatHarms {
			// Both of one language: Swedish "dö" is folded to English "do".
			if h.e.lang == t.e.lang && h.start >= t.end && h.start-t.end <= threatReach && !joking(h) &&
				!(h.start-t.end >= 2 && present(h) && habitual(h)) {
				return true, false, "threat"
			}
		}
	}
	// A harm told with its time in the past right after it ("slog mig i våras") is no
	// harm now.
	told := func(h match) bool {
		for _, p := range pasts {
			if p.start >= h.end && p.start-h.end <= pastReach {
				return true
			}
		}
		return false
	}
	for _, h := range harms {
		if habitual(h) || told(h) || joking(h) {
			continue
		}
		// Harm now: "han slår mig nu", "just nu jagar de mig".
		for _, n := range nows {
			if n.start >= h.end && n.start-h.end <= nowReach || h.start >= n.end && h.start-n.end <= nowReach {
				return true, false, "harm now"
			}
		}
		// Violence at home against someone else: "pappa slår mamma", "is hitting my mum".
		for _, o := range others {
			if o.start >= h.end && o.start-h.end <= othersReach {
				return true, false, "harm others"
			}
		}
	}
	return false, false, ""
}
