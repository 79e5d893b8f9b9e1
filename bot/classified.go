package bot

import (
	"strings"

	"github.com/vasteras/trygg/bot/classify"
	"github.com/vasteras/trygg/bot/understand"
)

// The classifier (bot/classify) reads what the rules (bot/understand) miss. The rules keep
// what must be exact: STOPP and RADERA, MENY, PERSON, the language words, numbers, ages,
// places, who the victim is and their sex. The classifier adds:
//   - danger: a message the rules find no danger in is read as danger when the
//     classifier's danger probability reaches the threshold for its language
//     (Thresholds.Danger: lower for the languages with the fewest examples; rules OR
//     classifier: the 112 reply never depends on one of them alone);
//   - the topic: when the rules find none, the classifier's topic when its probability
//     reaches TopicMin; over a topic the rules found, when it reaches OverrideMin and gives
//     the rules' topic less than disagreeMax, unless the rules' topic is one that must be
//     exact (firm) or the rules read a negation ("vill inte anmäla");
//   - erasing: a request to erase in the resident's own words, when it is sure (sureMin),
//     erases as STOPP does.
//
// The thresholds travel with the model and are chosen by cross-validation on the train
// split (`trygg eval --cv 5`, docs/conversations.md).

// firm lists the intents whose topic the classifier never overrides: codes and words
// that are exact, and privacy, which wins over the topic it mentions.
var firm = map[string]bool{"ombud_leave": true, "ombud_join": true, "privacy": true}

// unroutable lists the classifier's topics that never route: the rules decide the
// conversation basics that act (STOPP erases, PERSON hands over, MENY), a bare age, and
// "yes" and "no".
var unroutable = map[string]bool{"stop": true, "person": true, "menu": true, "age_only": true, "none": true, "yes": true, "no": true}

// personMin is how sure the classifier must be that a resident asks for a person: lower
// than sureMin, since one who asks and is not heard is worse off than staff called once
// for nothing.
const personMin = 0.5

// sureMin is how sure the classifier must be to answer with a global node where the rules
// find nothing (the menu, a person, or nothing more to say) or to say nothing after the
// danger reply: these end what the resident is offered, so a guess must not.
const sureMin = 0.8

// disagreeMax is the most probability the classifier may give the rules' topic and still
// override it: it takes another topic over the rules' only when it finds theirs unlikely,
// not when both are plausible ("I was asaulted" is support, though sexual violence is
// near).
const disagreeMax = 0.2

// basics lists the conversation basics the classifier may answer only when the message is
// short and without danger: a long message or one with danger is about something else, and
// "You are welcome" or "Take care" after a suicide reply would tell the resident they were
// not heard.
var basics = map[string]bool{"greeting": true, "thanks": true, "bye": true, "robot": true}

// basicWords is the most words a message the classifier reads as a basic, or as needing
// nothing, may have.
const basicWords = 6

// short reports whether the message has basicWords words or fewer.
func (t *turn) short() bool { return len(strings.Fields(t.msg.Text)) <= basicWords }

// classify runs the classifier on the message and adds the danger it reads to r. The
// classifier is trained on messages that stand on their own (the first message of a
// conversation), so it leaves alone what it was not trained on: a message without words
// or only a number, an answer to the question the conversation waits on (an age, a place,
// a choice, "vet inte"), a language trygg does not speak (the other-language reply gives
// 112 and the numbers), and what a resident writes during a handoff: staff read it, and
// trygg answers there only the danger the rules find.
func (t *turn) classify(r *understand.Reading) {
	m := t.e.classifier
	if m == nil || t.st.Handoff || r.Empty || r.Number >= 0 || r.OtherScript && r.Lang == "" {
		return
	}
	if n := t.e.def.Nodes[t.st.Node]; n != nil && answers(n.Wait, *r) {
		return
	}
	t.c, t.read = m.Classify(t.msg.Text, classify.Hints(*r)), true
	th := m.Thresholds()
	lang := r.Lang
	if lang == "" {
		lang = t.st.Lang
	}
	if t.c.DangerP >= th.Danger(lang) {
		r.Danger = true
	}
	// Danger the classifier reads as suicide gets the suicide reply, which has 112 too.
	if r.Danger && t.c.SuicideP >= th.SuicideMin {
		r.Suicide = true
	}
	// A request to erase in words of its own ("ta bort allt NU han kommer hem", "poista
	// kaikki tietoni") erases, as STOPP does, when the classifier is sure of it and the
	// rules read no other word that works everywhere: a resident who must hide the
	// conversation cannot spend a turn on being told the word.
	if t.c.Topic == "stop" && t.c.TopicP >= sureMin && !r.Has("menu") && !r.Has("person") && !r.Has("ombud_join") && !r.Has("ombud_leave") {
		r.Intents = append(r.Intents, "stop")
	}
}

// classified returns the topic (its index in the definition's topics) the turn routes
// to: ruled, the rules' topic (-1 for none), or the classifier's; or, where the rules
// find no topic and no question takes any answer, a global node the classifier reads the
// message as asking for: the menu, a person or nothing at all (only when it is sure: a
// person calls staff, and a message it barely knows, "asdf", is not understood rather
// than needing nothing). Nothing is only for a short message (basicWords): its reply
// gives MENY and 112 alone, and a longer message the classifier finds nothing in ("I shot
// a video of the fight yesterday") is better answered with the fallback, which gives the
// numbers too.
func (t *turn) classified(ruled int, wait map[string]string) (int, string) {
	if !t.read {
		return ruled, ""
	}
	th := t.e.classifier.Thresholds()
	if _, open := wait["else"]; ruled < 0 && !open && !t.r.Age.Known() {
		g := t.e.def.Globals
		switch c := t.c; {
		case c.Known < th.KnownMin:
		case c.Topic == "menu" && c.TopicP >= sureMin:
			return -1, g.Menu
		case c.Topic == "person" && c.TopicP >= personMin:
			return -1, g.Person
		case c.Topic == classify.TopicNone && !t.r.Danger && c.TopicP >= sureMin && t.short():
			return -1, g.Nothing
		}
	}
	return t.classifiedTopic(ruled, wait, th), ""
}

// classifiedTopic returns the topic of classified.
func (t *turn) classifiedTopic(ruled int, wait map[string]string, th classify.Thresholds) int {
	ruledIntent := "" // the rules' topic, by name
	if ruled >= 0 {
		ruledIntent = t.e.def.Topics[ruled].Intent
	}
	// Danger that needs nothing more than the danger reply: no topic after it, unless the
	// rules read one ("min man hotar att döda mig"): the danger reply never stands alone
	// when more was understood.
	if t.c.Topic == classify.TopicNone && t.r.Danger && t.c.TopicP >= sureMin && ruled < 0 {
		return -1
	}
	if unroutable[t.c.Topic] {
		return ruled
	}
	// An age alone after a topic's answer keeps that topic.
	if ruled < 0 && t.st.Topic != "" && t.r.Age.Known() && len(t.r.Intents) == 0 {
		return ruled
	}
	i, ok := t.e.routable[t.c.Topic]
	if t.c.Topic == "bereaved" && !t.r.Has("bereaved") {
		// Bereavement needs a death the rules read ("dödad", "killed", "kuoli"): a relative
		// assaulted or stabbed is support, however close the words.
		return ruled
	}
	// A follow-up on the topic the conversation is on, as the rules read it, stays there:
	// "Onko se luottamuksellinen?" after a question about Brottsofferjouren asks about its
	// confidentiality; the classifier reads each message alone and would take it for a
	// question about what trygg stores.
	if ruledIntent != "" && t.st.Topic == ruledIntent {
		return ruled
	}
	// Sexual violence over a topic the rules found needs more than a few words: "I was
	// assaulted" alone is support, whose reply covers it too, however often "assaulted"
	// means a sexual assault in longer messages.
	if t.c.Topic == "sexual_violence" && ruled >= 0 && !t.r.Has("sexual_violence") && t.short() {
		return ruled
	}
	if !ok || basics[t.c.Topic] && (t.r.Danger || !t.short()) {
		return ruled
	}
	if n := t.e.def.Nodes[t.e.def.Topics[i].Go]; n != nil && n.Collect && t.st.Report != nil && asksSlot(wait) {
		return ruled // answering a question of a report
	}
	switch {
	case ruled < 0 && t.c.TopicP >= th.TopicMin && t.c.Known >= th.KnownMin && (!t.r.Suicide || t.c.TopicP >= th.OverrideMin):
		return i
	case ruled >= 0 && i != ruled && t.c.TopicP >= th.OverrideMin && !firm[ruledIntent] &&
		!t.r.Negated && t.c.TopicProb(ruledIntent) < disagreeMax:
		return i
	}
	return ruled
}

// answers reports whether a message read as r answers a question that waits on wait: an
// age where one is asked, a known place where a place is, a word the question expects by
// name (yes, no, skip …), or a time or kind of a report's slot. Anything else, even where
// the question takes any answer ("else"), may be a new message of its own.
func answers(wait map[string]string, r understand.Reading) bool {
	if len(wait) == 0 {
		return false
	}
	has := func(key string) bool { _, ok := wait[key]; return ok }
	switch {
	case r.Age.Known() && (has("age") || has("age_alone")):
		return true
	case r.Place != "" && has("place"):
		return true
	}
	for _, in := range r.Intents {
		if has(in) {
			return true
		}
		slot, _, _ := strings.Cut(in, "_")
		if (slot == "time" || slot == "days") && has("when") || slot == "kind" && has("kind") {
			return true
		}
	}
	return false
}
