package classify

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Example is one labelled message to train on.
type Example struct {
	Text string
	// Hints are what the rules read in Text (Hints).
	Hints  []Hint
	Topic  string
	Danger string
}

// Config is how a model is trained, and the thresholds the engine reads its results with.
// DefaultConfig's values are chosen by cross-validation on the train split (`trygg eval
// --cv 5`); docs/conversations.md gives the figures.
type Config struct {
	Features Features `json:"features"`
	// MinCount is the fewest training messages a feature must occur in to get weights.
	MinCount int `json:"min_count"`
	// Epochs is how many times training goes through the examples.
	Epochs int `json:"epochs"`
	// Rate is the learning rate of the first epoch; epoch e learns at Rate/(1+e/2).
	Rate float64 `json:"rate"`
	// L2 pulls the weights of the features of each example towards zero.
	L2 float64 `json:"l2"`
	// Seed fixes the order the examples are visited in.
	Seed uint64 `json:"seed"`
	// Balance weighs each example's topic loss by (n/(topics·n_topic))^Balance, n_topic
	// the examples of its topic: 0 weighs all alike, 1 makes every topic weigh the same.
	Balance float64 `json:"balance,omitempty"`
	// DangerWeight weighs the danger loss of the examples labelled with danger (0 means
	// 1): above 1 the danger head errs towards danger, for recall.
	DangerWeight float64 `json:"danger_weight,omitempty"`
	// DangerRate is the danger head's learning rate of the first epoch (0 means Rate):
	// cross-validation finds danger read best fitted less closely than the topic.
	DangerRate float64 `json:"danger_rate,omitempty"`
	// Decay sets the learning rate of epoch e: Rate/(1+e·Decay); 0 means 0.5.
	Decay float64 `json:"decay,omitempty"`

	// Thresholds are how the engine reads the model's results.
	Thresholds Thresholds `json:"thresholds"`
}

// Thresholds are the probabilities at which the engine takes what the classifier reads.
type Thresholds struct {
	// TopicMin is the topic probability at or above which the classifier's topic is taken
	// when the rules find none.
	TopicMin float64 `json:"topic_min"`
	// KnownMin is the share of a message's features the model must know (Result.Known)
	// for its topic to be taken where the rules find none.
	KnownMin float64 `json:"known_min"`
	// OverrideMin is the topic probability at or above which the classifier's topic is
	// taken over a topic the rules found.
	OverrideMin float64 `json:"override_min"`
	// DangerMin is the danger probability at or above which a message is read as danger,
	// whatever the rules say.
	DangerMin float64 `json:"danger_min"`
	// DangerMinLang is the danger threshold for messages in these languages where it is
	// not DangerMin: the languages with the fewest training messages, whose danger head is
	// least sure (Danger).
	DangerMinLang map[string]float64 `json:"danger_min_lang,omitempty"`
	// SuicideMin is the suicide probability at or above which a message read as danger
	// gets the suicide reply (Mind Självmordslinjen 90101, and 112) rather than the
	// danger reply.
	SuicideMin float64 `json:"suicide_min"`
}

// Danger returns the danger threshold for a message in lang (DangerMinLang, else
// DangerMin).
func (t Thresholds) Danger(lang string) float64 {
	if v, ok := t.DangerMinLang[lang]; ok {
		return v
	}
	return t.DangerMin
}

// DefaultConfig is the configuration trygg's model is trained with.
func DefaultConfig() Config {
	return Config{
		Features: Features{Words: true, StemMin: 4, Bigrams: true, CharMin: 3, CharMax: 5, HintWeight: 1},
		MinCount: 3,
		Epochs:   12,
		Rate:     2,
		L2:       1e-5,
		Seed:     14,
		Thresholds: Thresholds{TopicMin: 0.3, KnownMin: 0.5, OverrideMin: 0.3, DangerMin: 0.2, SuicideMin: 0.2,
			DangerMinLang: map[string]float64{"ar": 0.15, "fa": 0.15, "so": 0.15, "ti": 0.15}},
	}
}

// Train fits a model to examples. The same examples and configuration give the same
// model, byte for byte (see Model.MarshalBinary).
func Train(examples []Example, cfg Config) (*Model, error) {
	if len(examples) == 0 {
		return nil, errors.New("no examples")
	}
	topics, dangers := classes(examples, func(e Example) string { return e.Topic }), classes(examples, func(e Example) string { return e.Danger })
	if !slices.Contains(dangers, DangerNone) {
		dangers = append(dangers, DangerNone)
		sort.Strings(dangers)
	}
	nt, nd := len(topics), len(dangers)
	if nt+nd > maxClasses {
		return nil, fmt.Errorf("%d topics and %d kinds of danger: at most %d classes in all", nt, nd, maxClasses)
	}
	stride := nt + nd
	topicOf, dangerOf := indexOf(topics), indexOf(dangers)

	// Each example's features, and how many examples each feature occurs in.
	x := &extractor{f: cfg.Features}
	type feats struct {
		text, hints []uint32
		v           float64
	}
	fs := make([]feats, len(examples))
	count := map[uint32]int{}
	for i, e := range examples {
		text, hints, v := x.features(e.Text, e.Hints)
		fs[i] = feats{slices.Clone(text), slices.Clone(hints), v}
		for _, f := range text {
			count[f]++
		}
		for _, f := range hints {
			count[f]++
		}
	}
	var kept []uint32
	for f, n := range count {
		if n >= cfg.MinCount {
			kept = append(kept, f)
		}
	}
	slices.Sort(kept)
	index := newTable(kept)
	// Each example's rows of weights and the value of each.
	// The rules' own danger and suicide readings teach the topic head only: the engine
	// takes the rules' danger anyway, and a danger head that leans on them learns little of
	// the words where they are silent, which is where it is needed.
	type cell struct {
		row       int32
		v         float64
		topicOnly bool
	}
	ruled := map[uint32]bool{hash(kindHint, "danger", ""): true, hash(kindHint, "suicide", ""): true}
	cells := make([][]cell, len(examples))
	for i, f := range fs {
		for _, h := range f.text {
			if r := index.row(h); r >= 0 {
				cells[i] = append(cells[i], cell{r, f.v, false})
			}
		}
		for _, h := range f.hints {
			if r := index.row(h); r >= 0 {
				cells[i] = append(cells[i], cell{r, f.v * cfg.Features.HintWeight, ruled[h]})
			}
		}
	}

	// Each example's weight in the topic and the danger loss.
	topicW, dangerW := make([]float64, nt), cfg.DangerWeight
	if dangerW == 0 {
		dangerW = 1
	}
	for _, e := range examples {
		topicW[topicOf[e.Topic]]++
	}
	for t, n := range topicW {
		topicW[t] = math.Pow(float64(len(examples))/(float64(nt)*n), cfg.Balance)
	}
	dangerRate := cfg.DangerRate
	if dangerRate == 0 {
		dangerRate = cfg.Rate
	}
	decay := cfg.Decay
	if decay == 0 {
		decay = 0.5
	}

	w := make([]float64, len(kept)*stride)
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x7472796767))
	scores := make([]float64, stride)
	for epoch := 0; epoch < cfg.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate, drate := cfg.Rate/(1+float64(epoch)*decay), dangerRate/(1+float64(epoch)*decay)
		for _, i := range order {
			clear(scores)
			for _, c := range cells[i] {
				ws := w[int(c.row)*stride : int(c.row+1)*stride]
				for k := range ws {
					scores[k] += float64(ws[k] * c.v)
				}
			}
			softmax(scores[:nt])
			softmax(scores[nt:])
			// The gradient of the log loss: p - 1 for the labelled class, p for the others.
			scores[topicOf[examples[i].Topic]] -= 1
			scores[nt+dangerOf[examples[i].Danger]] -= 1
			if tw := topicW[topicOf[examples[i].Topic]]; tw != 1 {
				for k := range scores[:nt] {
					scores[k] *= tw
				}
			}
			if examples[i].Danger != DangerNone && dangerW != 1 {
				for k := range scores[nt:] {
					scores[nt+k] *= dangerW
				}
			}
			for _, c := range cells[i] {
				ws := w[int(c.row)*stride : int(c.row+1)*stride]
				for k := range ws[:nt] {
					ws[k] -= float64(rate * float64(float64(scores[k]*c.v)+float64(cfg.L2*ws[k])))
				}
				if c.topicOnly {
					continue
				}
				for k := nt; k < stride; k++ {
					ws[k] -= float64(drate * float64(float64(scores[k]*c.v)+float64(cfg.L2*ws[k])))
				}
			}
		}
	}
	m := &Model{cfg: cfg, topics: topics, dangers: dangers, index: index, pool: newPool(cfg.Features)}
	m.w, m.scaleTopic, m.scaleDanger = quantize(w, nt, stride)
	return m, nil
}

// quantize rounds the weights of each head to 8-bit integers on a scale of their own:
// cross-validation reads the same with them as with 16 bits, at half the size.
func quantize(w []float64, nt, stride int) ([]byte, float32, float32) {
	var topMax, dangerMax float64
	for i, v := range w {
		if i%stride < nt {
			topMax = max(topMax, math.Abs(v))
		} else {
			dangerMax = max(dangerMax, math.Abs(v))
		}
	}
	st, sd := float32(topMax/math.MaxInt8), float32(dangerMax/math.MaxInt8)
	q := make([]byte, len(w))
	for i, v := range w {
		s := sd
		if i%stride < nt {
			s = st
		}
		if s > 0 {
			q[i] = byte(int8(math.Round(v / float64(s))))
		}
	}
	return q, st, sd
}

// classes lists the distinct labels of examples, sorted.
func classes(examples []Example, label func(Example) string) []string {
	var out []string
	for _, e := range examples {
		out = append(out, label(e))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func indexOf(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}
