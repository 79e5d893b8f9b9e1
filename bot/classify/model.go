// Package classify reads what a resident's message is about and whether someone is in
// danger with a trained text classifier, where the hand-written lexicons of bot/understand
// miss the many ways people really write.
//
// A message is read as a set of hashed features that survive how people text (see
// Features): folded words, their Snowball stems (Swedish, English, Finnish), neighbouring
// word pairs and character n-grams inside words, which carry typos, shorthand, inflection
// and the languages no stemmer knows (ar, fa, so, ti). Two heads of a linear model,
// multinomial logistic regression, score the features: the topic (the corpus' topics,
// bot/testdata/corpus/README.md) and danger (none, now, threat, suicide). Train fits both
// with plain stochastic gradient descent in an order drawn from a fixed seed, so the same
// examples give the same model byte for byte; the weights are kept as 8-bit integers.
//
// The model is data: `trygg train` writes it (flows/classifier.bin) from the corpus' train
// split, a test proves the committed file is current, and flows.Load reads it. What the
// engine does with a Result (when the classifier decides the topic, when its danger counts)
// is bot's; the thresholds travel with the model (Config).
//
// A Model is immutable and safe for concurrent use.
package classify

import (
	"math"
	"sync"
)

// The danger classes of the danger head, as the corpus labels them.
const (
	DangerNone    = "none"
	DangerNow     = "now"
	DangerThreat  = "threat"
	DangerSuicide = "suicide"
)

// TopicNone is the topic of a message that needs nothing routed beyond the danger reply, or
// nothing at all.
const TopicNone = "none"

// Model is a trained classifier.
type Model struct {
	cfg     Config
	topics  []string
	dangers []string
	// index maps a feature to its row of weights.
	index *table
	// w holds each row's weights, topics then dangers: len(topics)+len(dangers) a row.
	w []byte // each weight an int8, in two's complement: a model file's bytes as they are
	// scale turns the integer weights of each head back into real ones.
	scaleTopic, scaleDanger float32
	pool                    *sync.Pool
}

// Result is what the classifier reads in a message.
type Result struct {
	// Topic is the most probable topic, and TopicP its probability.
	Topic  string
	TopicP float64
	// Danger is the most probable kind of danger among now, threat and suicide, and
	// DangerP the probability that the message is any danger (1 - P(none)).
	Danger  string
	DangerP float64
	// SuicideP is the probability of the suicide class.
	SuicideP float64
	// Known is the share of the message's features (its words and n-grams) the model has
	// weights for: a message it barely knows ("asdf qwerty") is read from the prior.
	Known float64

	topics []string            // the model's topics, by class
	probs  [maxClasses]float64 // each topic's probability, by class
}

// TopicProb returns the probability the model gives topic: 0 for a topic it does not know.
func (r Result) TopicProb(topic string) float64 {
	for i, t := range r.topics {
		if t == topic {
			return r.probs[i]
		}
	}
	return 0
}

// Config returns the configuration the model was trained with, thresholds included.
func (m *Model) Config() Config { return m.cfg }

// WithThresholds returns the model with other thresholds, for choosing them by
// cross-validation.
func (m *Model) WithThresholds(t Thresholds) *Model {
	c := *m
	c.cfg.Thresholds = t
	return &c
}

// Thresholds returns the thresholds the engine reads the model's results with.
func (m *Model) Thresholds() Thresholds { return m.cfg.Thresholds }

// Topics lists the topics the model knows, in the order of its weights.
func (m *Model) Topics() []string { return append([]string(nil), m.topics...) }

// Features reports how many features the model has weights for.
func (m *Model) Features() int { return m.index.n }

// Classify reads text, with the hints the rules read in it (Hints).
func (m *Model) Classify(text string, hints []Hint) Result {
	x := m.pool.Get().(*extractor)
	defer m.pool.Put(x)
	feats, hfeats, v := x.features(text, hints)
	nt, nd := len(m.topics), len(m.dangers)
	stride := nt + nd
	var acc, hacc [maxClasses]int32
	known := 0
	sum := func(acc *[maxClasses]int32, feats []uint32) {
		a := acc[:stride]
		for _, f := range feats {
			row := m.index.row(f)
			if row < 0 {
				continue
			}
			known++
			off := int(row) * stride
			ws := m.w[off : off+stride : off+stride]
			a := a[:len(ws)]
			for c, v := range ws {
				a[c] += int32(int8(v))
			}
		}
	}
	sum(&acc, feats)
	knownText := known - 1 // the bias is always known
	sum(&hacc, hfeats)
	hw := m.cfg.Features.HintWeight
	var scores [maxClasses]float64
	for c := 0; c < stride; c++ {
		scale := m.scaleDanger
		if c < nt {
			scale = m.scaleTopic
		}
		scores[c] = float64(scale) * v * (float64(acc[c]) + hw*float64(hacc[c]))
	}
	softmax(scores[:nt])
	softmax(scores[nt:stride])
	var r Result
	if len(feats) > 1 {
		r.Known = float64(knownText) / float64(len(feats)-1)
	}
	best := 0
	for c := 1; c < nt; c++ {
		if scores[c] > scores[best] {
			best = c
		}
	}
	r.Topic, r.TopicP = m.topics[best], scores[best]
	r.topics = m.topics
	copy(r.probs[:nt], scores[:nt])
	bestD := -1
	for c, name := range m.dangers {
		p := scores[nt+c]
		if name == DangerNone {
			r.DangerP = 1 - p
			continue
		}
		if name == DangerSuicide {
			r.SuicideP = p
		}
		if bestD < 0 || p > scores[nt+bestD] {
			bestD = c
		}
	}
	if bestD >= 0 {
		r.Danger = m.dangers[bestD]
	}
	return r
}

// maxClasses bounds the classes of both heads together.
const maxClasses = 64

// softmax turns scores into probabilities in place.
func softmax(s []float64) {
	if len(s) == 0 {
		return
	}
	top := s[0]
	for _, v := range s[1:] {
		top = max(top, v)
	}
	sum := 0.0
	for i, v := range s {
		s[i] = math.Exp(v - top)
		sum += s[i]
	}
	for i := range s {
		s[i] /= sum
	}
}

// newPool returns the pool of extractors of a model with features f.
func newPool(f Features) *sync.Pool {
	return &sync.Pool{New: func() any { return &extractor{f: f} }}
}
