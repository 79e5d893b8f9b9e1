package understand

// threatReach is how many words after a threat word ("ska", "hotar att") the harm it
// announces may stand: "han sa att han ska komma hem och döda mig".
const threatReach = 5

// nowReach is how far apart a harm word and a word for now may stand to mean harm now:
// "han slår mig nu" is, "nu är jag 34 och min man slår mig" is not.
const nowReach = 4

// danger reads the danger signals among the phrases found: whether someone seems to be in
// danger now (or is threatened with harm), and whether someone may take their life.
// Danger phrases match only as written (see Danger); idioms ("döda tiden", "skjuta upp")
// cover their words, which then mean nothing.
func danger(found []match) (bool, bool) {
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
	var always, past, now, suicide bool
	var harms, nows, threats, threatHarms, others, pairA, pairB []match
	for _, f := range found {
		if !f.e.kind.exact() || f.e.kind == kindIdiom || inIdiom(f) {
			continue
		}
		switch f.e.kind {
		case kindAlways:
			always = true
		case kindPast:
			past = true
		case kindNow:
			now = true
			nows = append(nows, f)
		case kindSuicide:
			suicide = true
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
				suicide = true
			case "threat":
				pairThreat = true
			case "now":
				pairNow = true
			}
		}
	}
	if suicide {
		return true, true
	}
	if pairThreat || pairNow && (!past || now) {
		return true, false
	}
	// A knife, someone at the door: danger, unless the message tells of it as past
	// ("blev rånad med kniv förra veckan") and says nothing of now.
	if always && (!past || now) {
		return true, false
	}
	// A threat of harm: "hotar att döda mig", "ska skjuta mig", "is going to kill me".
	for _, t := range threats {
		for _, h := range threatHarms {
			if h.start >= t.end && h.start-t.end <= threatReach {
				return true, false
			}
		}
	}
	for _, h := range harms {
		// Harm now: "han slår mig nu", "just nu jagar de mig".
		for _, n := range nows {
			if n.start >= h.end && n.start-h.end <= nowReach || h.start >= n.end && h.start-n.end <= nowReach {
				return true, false
			}
		}
		// Violence at home against someone else: "pappa slår mamma", "is hitting my mum".
		for _, o := range others {
			if o.start >= h.end && o.start-h.end <= 1 {
				return true, false
			}
		}
	}
	return false, false
}
