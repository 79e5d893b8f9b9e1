package classify

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// examples is a small corpus in two languages, with shorthand and without å/ä/ö.
var examples = []Example{
	{Text: "jag blev rånad igår", Topic: "support", Danger: DangerNone},
	{Text: "ja blev ranad pa stan", Topic: "support", Danger: DangerNone},
	{Text: "nån rånade mig vid bussen", Topic: "support", Danger: DangerNone},
	{Text: "I was robbed yesterday", Topic: "support", Danger: DangerNone},
	{Text: "got robbed last night", Topic: "support", Danger: DangerNone},
	{Text: "hur anmäler jag ett brott", Topic: "report", Danger: DangerNone},
	{Text: "hur gor man en anmalan", Topic: "report", Danger: DangerNone},
	{Text: "vill anmäla till polisen", Topic: "report", Danger: DangerNone},
	{Text: "how do I report a crime", Topic: "report", Danger: DangerNone},
	{Text: "where can i report it to the police", Topic: "report", Danger: DangerNone},
	{Text: "han slår mig nu hjälp", Topic: "close_relationship", Danger: DangerNow},
	{Text: "min man slar mig just nu", Topic: "close_relationship", Danger: DangerNow},
	{Text: "my husband is hitting me right now", Topic: "close_relationship", Danger: DangerNow},
	{Text: "han säger att han ska döda mig", Topic: "close_relationship", Danger: DangerThreat},
	{Text: "he says he will kill me", Topic: "close_relationship", Danger: DangerThreat},
	{Text: "vill inte leva längre", Topic: "none", Danger: DangerSuicide},
	{Text: "orkar inte leva", Topic: "none", Danger: DangerSuicide},
	{Text: "i want to end my life", Topic: "none", Danger: DangerSuicide},
}

func testConfig() Config {
	c := DefaultConfig()
	c.MinCount, c.Epochs = 1, 30
	return c
}

// TestTrainLearnsHowPeopleText shows that the features carry typos, shorthand and missing
// å/ä/ö to messages the model never saw.
func TestTrainLearnsHowPeopleText(t *testing.T) {
	m, err := Train(examples, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text, topic string
		danger      bool
	}{
		{"blev rånad igar kväll", "support", false},
		{"ja vill anmala", "report", false},
		{"how to reprot a crime", "report", false},
		{"han slår mej nu", "close_relationship", true},
		{"orkar inte leva mer", "none", true},
	}
	for _, tt := range tests {
		r := m.Classify(tt.text, nil)
		if r.Topic != tt.topic {
			t.Errorf("Classify(%q).Topic = %s (%.2f), want %s", tt.text, r.Topic, r.TopicP, tt.topic)
		}
		if got := r.DangerP >= 0.5; got != tt.danger {
			t.Errorf("Classify(%q).DangerP = %.2f, want danger %v", tt.text, r.DangerP, tt.danger)
		}
	}
	if r := m.Classify("orkar inte leva mer", nil); r.Danger != DangerSuicide || r.SuicideP < 0.5 {
		t.Errorf("suicide read as %s (%.2f)", r.Danger, r.SuicideP)
	}
}

// TestTrainDeterministic: the same examples give the same model, byte for byte, and a
// model read back from its bytes reads messages as the one written.
func TestTrainDeterministic(t *testing.T) {
	a, err := Train(examples, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Train(examples, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	ab, _ := a.MarshalBinary()
	bb, _ := b.MarshalBinary()
	if !bytes.Equal(ab, bb) {
		t.Fatal("two trainings on the same examples gave different models")
	}
	c, err := Unmarshal(ab)
	if err != nil {
		t.Fatal(err)
	}
	cb, _ := c.MarshalBinary()
	if !bytes.Equal(ab, cb) {
		t.Error("a model read back writes other bytes")
	}
	if !reflect.DeepEqual(c.Config(), a.Config()) || c.Features() != a.Features() {
		t.Errorf("read back: config %+v, %d features; want %+v, %d", c.Config(), c.Features(), a.Config(), a.Features())
	}
	for _, e := range examples {
		if x, y := a.Classify(e.Text, nil), c.Classify(e.Text, nil); !reflect.DeepEqual(x, y) {
			t.Errorf("%q: %+v, read back %+v", e.Text, x, y)
		}
	}
	other := testConfig()
	other.Seed++
	d, _ := Train(examples, other)
	if db, _ := d.MarshalBinary(); bytes.Equal(ab, db) {
		t.Error("another seed gave the same model: the seed is not used")
	}
}

// TestHints: what the rules read is a feature like any other.
func TestHints(t *testing.T) {
	ex := []Example{
		{Text: "abc def", Hints: []Hint{{"intent", "report"}}, Topic: "report", Danger: DangerNone},
		{Text: "abc def", Hints: []Hint{{"intent", "support"}}, Topic: "support", Danger: DangerNone},
		{Text: "ghi jkl", Hints: []Hint{{"intent", "report"}}, Topic: "report", Danger: DangerNone},
		{Text: "mno pqr", Hints: []Hint{{"intent", "support"}}, Topic: "support", Danger: DangerNone},
	}
	m, err := Train(ex, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"report", "support"} {
		if r := m.Classify("abc def", []Hint{{"intent", want}}); r.Topic != want {
			t.Errorf("with hint %s: topic %s", want, r.Topic)
		}
	}
}

// TestUnmarshalRejects: a file that is not a model, or is cut short, is an error, never a
// model that reads nonsense.
func TestUnmarshalRejects(t *testing.T) {
	m, err := Train(examples, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.MarshalBinary()
	for name, data := range map[string][]byte{
		"empty":     nil,
		"not one":   []byte("hello"),
		"truncated": b[:len(b)-3],
		"header":    b[:len(magic)+5],
		"extra":     append(append([]byte{}, b...), 0),
	} {
		if _, err := Unmarshal(data); err == nil {
			t.Errorf("%s: Unmarshal accepted it", name)
		}
	}
}

// TestFeaturesBounded: a 10 kB word or a pasted essay costs a bounded number of features.
func TestFeaturesBounded(t *testing.T) {
	x := &extractor{f: DefaultConfig().Features}
	word, _, _ := x.features(strings.Repeat("a", 10*1024), nil)
	if len(word) > 3 {
		t.Errorf("a 10 kB word gave %d features, want the bias and the word", len(word))
	}
	essay, _, _ := x.features(strings.Repeat("blev rånad igår ", 1000), nil)
	if len(essay) > 200 {
		t.Errorf("a repeated essay gave %d distinct features", len(essay))
	}
	// Character n-grams never split a letter of another script.
	ar, _, _ := x.features("يضربني", nil)
	if len(ar) < 5 {
		t.Errorf("an Arabic word gave %d features, want its n-grams", len(ar))
	}
}

// TestCrossValidate: every example is read by the model that did not train on it.
func TestCrossValidate(t *testing.T) {
	res, err := CrossValidate(examples, testConfig(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(examples) {
		t.Fatalf("%d results for %d examples", len(res), len(examples))
	}
	for i, r := range res {
		if r.Topic == "" {
			t.Errorf("example %d not read", i)
		}
	}
	if _, err := CrossValidate(examples, testConfig(), 1); err == nil {
		t.Error("one fold accepted")
	}
}

func TestTable(t *testing.T) {
	feats := []uint32{0, 7, 1 << 31, 12345, 99}
	tb := newTable(feats)
	for i, f := range feats {
		if r := tb.row(f); r != int32(i) {
			t.Errorf("row(%d) = %d, want %d", f, r, i)
		}
	}
	if r := tb.row(5); r != -1 {
		t.Errorf("row(5) = %d, want -1", r)
	}
	if got := tb.features(); !slices.Equal(got, feats) {
		t.Errorf("features() = %v, want %v", got, feats)
	}
}

// TestTopicProb: the probability of each topic is there to read, the top one is Topic's,
// and a topic the model does not know has none.
func TestTopicProb(t *testing.T) {
	m, err := Train(examples, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	r := m.Classify(examples[0].Text, nil)
	if got := r.TopicProb(r.Topic); got != r.TopicP {
		t.Errorf("TopicProb(%s) = %v, want TopicP %v", r.Topic, got, r.TopicP)
	}
	sum := 0.0
	for _, topic := range m.Topics() {
		sum += r.TopicProb(topic)
	}
	if sum < 0.999 || sum > 1.001 {
		t.Errorf("the topics' probabilities sum to %v", sum)
	}
	if got := r.TopicProb("no_such_topic"); got != 0 {
		t.Errorf("TopicProb(no_such_topic) = %v", got)
	}
}

// TestTrainWeights: DangerWeight moves the danger head towards danger, Balance moves the
// topic head towards the rarer topics, and DangerRate fits the danger head less closely.
func TestTrainWeights(t *testing.T) {
	classifyWith := func(set func(*Config), text string) Result {
		c := testConfig()
		set(&c)
		m, err := Train(examples, c)
		if err != nil {
			t.Fatal(err)
		}
		return m.Classify(text, nil)
	}
	const unclear = "jag vet inte vad jag ska göra"
	plain := classifyWith(func(*Config) {}, unclear)
	if heavy := classifyWith(func(c *Config) { c.DangerWeight = 4 }, unclear); heavy.DangerP <= plain.DangerP {
		t.Errorf("DangerWeight 4: DangerP %.3f, want above %.3f (weight 1)", heavy.DangerP, plain.DangerP)
	}
	// support has 5 examples, none 3: balancing makes the rarer topic more probable.
	p := func(r Result, topic string) float64 {
		if r.Topic == topic {
			return r.TopicP
		}
		return 0
	}
	const robbed = "blev rånad"
	if b, u := classifyWith(func(c *Config) { c.Balance = 1 }, robbed), classifyWith(func(*Config) {}, robbed); p(b, "support") >= p(u, "support") {
		t.Errorf("Balance 1: P(support) %.3f, want below the unbalanced %.3f", p(b, "support"), p(u, "support"))
	}
	const threat = "han ska döda mig"
	slow, fast := classifyWith(func(c *Config) { c.DangerRate = c.Rate / 4 }, threat), classifyWith(func(c *Config) { c.DangerRate = c.Rate }, threat)
	if slow.DangerP >= fast.DangerP {
		t.Errorf("DangerRate Rate/4: DangerP %.3f, want below %.3f (the danger example fitted less closely)", slow.DangerP, fast.DangerP)
	}
}

// TestDangerHeadIgnoresRulesDanger: the rules' danger and suicide readings are features of
// the topic head only, so the danger head reads the words (the engine takes the rules'
// danger anyway); other hints still reach both heads.
func TestDangerHeadIgnoresRulesDanger(t *testing.T) {
	var ex []Example
	for _, e := range examples {
		if e.Danger != DangerNone {
			e.Hints = append(e.Hints, Hint{"danger", ""})
		}
		ex = append(ex, e)
	}
	m, err := Train(ex, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range examples {
		// As many hints either way: the features' scale depends on how many there are.
		plain, hinted := m.Classify(e.Text, []Hint{{"age", "adult"}, {"place", ""}}), m.Classify(e.Text, []Hint{{"danger", ""}, {"suicide", ""}})
		if plain.DangerP != hinted.DangerP || plain.SuicideP != hinted.SuicideP {
			t.Errorf("%q: the rules' danger moved the danger head: %.3f/%.3f, with it %.3f/%.3f", e.Text, plain.DangerP, plain.SuicideP, hinted.DangerP, hinted.SuicideP)
		}
	}
}

// TestThresholdsDanger: a language with a threshold of its own gets it, every other the
// default, and the default configuration's own thresholds survive a model read back.
func TestThresholdsDanger(t *testing.T) {
	th := Thresholds{DangerMin: 0.2, DangerMinLang: map[string]float64{"ar": 0.1}}
	for lang, want := range map[string]float64{"ar": 0.1, "sv": 0.2, "": 0.2} {
		if got := th.Danger(lang); got != want {
			t.Errorf("Danger(%q) = %v, want %v", lang, got, want)
		}
	}
	cfg := testConfig()
	cfg.Thresholds = DefaultConfig().Thresholds
	m, err := Train(examples, cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := m.MarshalBinary()
	back, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Thresholds().Danger("so"); got != DefaultConfig().Thresholds.DangerMinLang["so"] || got >= back.Thresholds().DangerMin {
		t.Errorf("read back: Somali danger threshold %v, default %v", got, back.Thresholds().DangerMin)
	}
}
