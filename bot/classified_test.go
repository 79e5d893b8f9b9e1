package bot_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/bot/classify"
	"github.com/vasteras/trygg/bot/corpus"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/locales"
)

// classifierFile is the committed model that flows.Load reads.
const classifierFile = "../flows/" + flows.ClassifierFile

// TestClassifierCurrent proves that flows/classifier.bin is the model `trygg train` makes
// from today's corpus train split and lexicons: training is deterministic, so the bytes
// must match. `go test ./bot -run Classifier -update` (or `trygg train`) rewrites it after
// a change to the corpus, the lexicons or the classifier.
//
// Training is one goroutine, so the race detector finds nothing in it, and under -race it
// takes minutes: with -race the test is skipped, and .ci/run runs it without.
func TestClassifierCurrent(t *testing.T) {
	if raceDetector && !*update {
		t.Skip("training under -race takes minutes and runs on one goroutine; run go test -run TestClassifierCurrent ./bot (as .ci/run does)")
	}
	msgs, err := corpus.Load(os.DirFS("testdata/corpus"), corpus.Train)
	if err != nil {
		t.Fatal(err)
	}
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()).WithoutClassifier())
	if err != nil {
		t.Fatal(err)
	}
	m, err := corpus.TrainModel(set, msgs, classify.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	want, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(classifierFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(classifierFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not the model trained on testdata/corpus/train: run go test ./bot -run Classifier -update (or trygg train)", classifierFile)
	}
}

// toyEngine is an engine whose classifier learnt a few made-up phrases, so that what the
// classifier decides and what it may not are seen apart from the real model.
func toyEngine(t *testing.T) (*bot.Engine, *bot.Engine) {
	t.Helper()
	m := toyModel(t)
	set := loadSet(t)
	return bot.New(set, bot.Options{Classifier: m}), bot.New(set, bot.Options{Classifier: m, RulesOnly: true})
}

// toyModel is the classifier of toyEngine.
func toyModel(t *testing.T) *classify.Model {
	t.Helper()
	var ex []classify.Example
	add := func(topic, danger string, texts ...string) {
		for _, s := range texts {
			ex = append(ex, classify.Example{Text: s, Topic: topic, Danger: danger})
		}
	}
	add("fraud", "none", "tomaterna sjunger", "tomaterna sjunger glatt", "sjungande tomater")
	add("none", "now", "lila elefanter dansar", "lila elefanter dansar nu", "elefanterna är lila")
	// What the classifier must not decide, learnt as danger or another topic.
	add("fraud", "now", "stopp", "vet inte", "17", "Здравствуйте мне нужна помощь", "kan min man se det här")
	add("support", "none", "blå bilar", "blå bilar kör", "bilarna är blå")
	add("thanks", "none", "gröna tåg", "gröna tåg går", "tågen är gröna")
	add("report", "none", "gula hattar", "gula hattar flyger", "hattarna är gula")
	add("bereaved", "none", "röda bussar", "röda bussar åker", "bussarna är röda")
	add("person", "none", "orange moln", "orange moln seglar", "molnen är orange")
	add("none", "none", "rosa ballonger", "rosa ballonger svävar", "ballongerna är rosa")
	add("stop", "none", "vita hästar", "vita hästar springer", "hästarna är vita")
	add("sexual_violence", "none", "svarta katter", "svarta katter jamar", "katterna är svarta")
	cfg := classify.DefaultConfig()
	cfg.MinCount, cfg.Epochs = 1, 40
	m, err := classify.Train(ex, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestClassifierRoutes: the classifier decides the topic the rules do not find, and
// reads danger the rules miss, 112 first.
func TestClassifierRoutes(t *testing.T) {
	e, rules := toyEngine(t)
	res := e.Turn(bot.State{}, bot.Message{Text: "tomaterna sjunger"}, testNow)
	if res.State.Topic != "fraud" || res.HasEvent(bot.EventNotUnderstood) {
		t.Errorf("classifier topic: topic %q, replies %s; want fraud", res.State.Topic, ids(res))
	}
	if res := rules.Turn(bot.State{}, bot.Message{Text: "tomaterna sjunger"}, testNow); !res.HasEvent(bot.EventNotUnderstood) {
		t.Errorf("rules only: replies %s, want not understood", ids(res))
	}
	res = e.Turn(bot.State{}, bot.Message{Text: "lila elefanter dansar"}, testNow)
	if !res.HasEvent(bot.EventDanger) || len(res.Replies) == 0 || !strings.Contains(res.Replies[0].Text, "112") {
		t.Errorf("classifier danger: replies %s, want the danger reply first", ids(res))
	}
	if res.HasEvent(bot.EventNotUnderstood) || res.State.Topic != "" {
		t.Errorf("danger read as needing no topic: replies %s, topic %q; want the danger reply alone", ids(res), res.State.Topic)
	}
	// The danger reply does not stand alone when the rules read more.
	res = e.Turn(bot.State{}, bot.Message{Text: "lila elefanter dansar, min man slår mig"}, testNow)
	if !res.HasEvent(bot.EventDanger) || res.State.Topic != "close_relationship" {
		t.Errorf("danger with a topic the rules read: replies %s, topic %q; want the danger reply, then close_relationship", ids(res), res.State.Topic)
	}
	if res := rules.Turn(bot.State{}, bot.Message{Text: "lila elefanter dansar"}, testNow); res.HasEvent(bot.EventDanger) {
		t.Error("rules only: danger without a classifier")
	}
	// A resident who asks for a person in words the rules lack gets one.
	if res := e.Turn(bot.State{}, bot.Message{Text: "orange moln"}, testNow); !res.HasEvent(bot.EventHandoffRequested) {
		t.Errorf("classifier person: replies %s, want a handoff requested", ids(res))
	}
}

// TestClassifierErases: a request to erase in the resident's own words erases, as STOPP
// does, after the danger reply when there is danger; not when the rules read a person
// asked for, and not during a handoff, where staff read it.
func TestClassifierErases(t *testing.T) {
	e, rules := toyEngine(t)
	st := bot.State{Topic: "support", AgeMin: 30, AgeMax: 30}
	if res := e.Turn(st, bot.Message{Text: "vita hästar"}, testNow); !res.Erase || !res.HasEvent(bot.EventErase) {
		t.Errorf("an erase request: replies %s, erase %v; want erased", ids(res), res.Erase)
	}
	if res := rules.Turn(st, bot.Message{Text: "vita hästar"}, testNow); res.Erase {
		t.Error("rules only: erased without a classifier")
	}
	res := e.Turn(st, bot.Message{Text: "vita hästar, han har en kniv"}, testNow)
	if !res.Erase || len(res.Replies) == 0 || !strings.Contains(res.Replies[0].Text, "112") {
		t.Errorf("an erase request with danger: replies %s, erase %v; want the danger reply, then erased", ids(res), res.Erase)
	}
	if res := e.Turn(st, bot.Message{Text: "vita hästar, jag vill prata med en människa"}, testNow); res.Erase {
		t.Errorf("a person asked for: replies %s, erased", ids(res))
	}
	if res := e.Turn(bot.State{Handoff: true}, bot.Message{Text: "vita hästar"}, testNow); res.Erase || !res.HasEvent(bot.EventRelay) {
		t.Errorf("during a handoff: replies %s, erase %v; want relayed to staff", ids(res), res.Erase)
	}
}

// TestClassifierDangerByLanguage: the danger threshold is the message's language's (the
// conversation's when the message tells none).
func TestClassifierDangerByLanguage(t *testing.T) {
	set := loadSet(t)
	m := toyModel(t)
	never := m.Thresholds()
	never.DangerMin = 1.1
	for _, tc := range []struct {
		lang   map[string]float64
		danger bool
	}{
		{nil, false},
		{map[string]float64{"sv": 0.5}, true},
		{map[string]float64{"en": 0.5}, false},
	} {
		th := never
		th.DangerMinLang = tc.lang
		eng := bot.New(set, bot.Options{Classifier: m.WithThresholds(th)})
		res := eng.Turn(bot.State{Lang: "sv", LangKnown: true}, bot.Message{Text: "lila elefanter dansar"}, testNow)
		if res.HasEvent(bot.EventDanger) != tc.danger {
			t.Errorf("thresholds by language %v: danger %v, want %v", tc.lang, res.HasEvent(bot.EventDanger), tc.danger)
		}
	}
}

// TestClassifierLeavesAlone: what must be exact stays with the rules, whatever the
// classifier reads: STOPP erases, privacy wins over the topic it mentions, an answer to
// the question waiting is an answer, a language trygg does not speak gets the
// other-language reply.
func TestClassifierLeavesAlone(t *testing.T) {
	e, _ := toyEngine(t)
	if res := e.Turn(bot.State{Topic: "support"}, bot.Message{Text: "stopp"}, testNow); !res.Erase {
		t.Errorf("STOPP: replies %s, not erased", ids(res))
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "kan min man se det här? tomaterna sjunger"}, testNow); res.State.Topic != "privacy" {
		t.Errorf("privacy: topic %q, want privacy", res.State.Topic)
	}
	asked := e.Turn(bot.State{}, bot.Message{Text: "jag blev rånad igår"}, testNow).State
	if res := e.Turn(asked, bot.Message{Text: "vet inte"}, testNow); res.HasEvent(bot.EventDanger) || res.State.Topic != "support" {
		t.Errorf("an answer to the age question: replies %s, topic %q", ids(res), res.State.Topic)
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "Здравствуйте, мне нужна помощь"}, testNow); !res.HasEvent(bot.EventOtherLanguage) {
		t.Errorf("another language: replies %s, want the other-language reply", ids(res))
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "17"}, testNow); res.HasEvent(bot.EventDanger) {
		t.Errorf("a bare number: replies %s", ids(res))
	}
	if res := e.Turn(bot.State{Handoff: true}, bot.Message{Text: "lila elefanter dansar"}, testNow); len(res.Replies) > 0 || !res.HasEvent(bot.EventRelay) {
		t.Errorf("during a handoff: replies %s, want the message relayed to staff alone", ids(res))
	}
}

// TestClassifierGuards: what the classifier reads is a guess, and some guesses it may not
// act on: a greeting, thanks or bye for a message with danger (no "You are welcome" after
// 112); another topic over what the resident said they do not want ("vill inte anmäla");
// bereavement without a death the rules read; sexual violence over the rules' topic for a
// short message; the short reply that routes nothing for a long message.
func TestClassifierGuards(t *testing.T) {
	e, _ := toyEngine(t)
	if res := e.Turn(bot.State{}, bot.Message{Text: "gröna tåg"}, testNow); !hasID(res, "thanks") {
		t.Fatalf("the toy classifier's thanks: replies %s", ids(res))
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "gröna tåg, han har en kniv"}, testNow); hasID(res, "thanks") || !res.HasEvent(bot.EventDanger) {
		t.Errorf("thanks with danger: replies %s, want the danger reply and no thanks", ids(res))
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "gula hattar"}, testNow); res.State.Topic != "report" {
		t.Fatalf("the toy classifier's report: topic %q", res.State.Topic)
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "jag vill inte anmäla, gula hattar"}, testNow); res.State.Topic == "report" {
		t.Errorf("negated report: topic %q, want the rules' support", res.State.Topic)
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "min bror blev misshandlad, röda bussar"}, testNow); res.State.Topic == "bereaved" {
		t.Errorf("assault read as bereavement: topic %q", res.State.Topic)
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "röda bussar, min bror blev mördad"}, testNow); res.State.Topic != "bereaved" {
		t.Errorf("a death: topic %q, want bereaved", res.State.Topic)
	}
	// Sexual violence over the rules' topic only for a message that says more than a few
	// words: "I was assaulted" alone keeps support, which covers it too.
	if res := e.Turn(bot.State{}, bot.Message{Text: "jag blev rånad, svarta katter"}, testNow); res.State.Topic != "support" {
		t.Errorf("short, sexual violence over support: topic %q, want the rules' support", res.State.Topic)
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "jag blev rånad igår kväll och svarta katter jamar hela tiden"}, testNow); res.State.Topic != "sexual_violence" {
		t.Errorf("long, sexual violence over support: topic %q, want sexual_violence", res.State.Topic)
	}
	// A follow-up on the conversation's topic, as the rules read it, stays on it.
	if res := e.Turn(bot.State{Topic: "support", AgeMin: 30, AgeMax: 30}, bot.Message{Text: "jag blev rånad, gula hattar"}, testNow); res.State.Topic != "support" {
		t.Errorf("a follow-up on the conversation's topic: topic %q, want support", res.State.Topic)
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "jag blev rånad, gula hattar"}, testNow); res.State.Topic != "report" {
		t.Errorf("the same message first: topic %q, want the classifier's report", res.State.Topic)
	}
	// Nothing to route: the short reply (MENY and 112) for a short message, the fallback
	// with the numbers for a longer one.
	if res := e.Turn(bot.State{}, bot.Message{Text: "rosa ballonger"}, testNow); !hasID(res, "declined") {
		t.Errorf("nothing to route, short: replies %s, want declined", ids(res))
	}
	if res := e.Turn(bot.State{}, bot.Message{Text: "rosa ballonger svävar över stan hela dagen idag igen"}, testNow); !res.HasEvent(bot.EventNotUnderstood) {
		t.Errorf("nothing to route, long: replies %s, want the fallback", ids(res))
	}
}

// hasID reports whether a turn gave the message id (any age variant).
func hasID(res bot.Result, id string) bool {
	for _, r := range res.Replies {
		if r.MessageID == id || strings.HasPrefix(r.MessageID, id+"_") {
			return true
		}
	}
	return false
}
