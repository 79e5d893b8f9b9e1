package corpus

import (
	"fmt"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/bot/classify"
	"github.com/vasteras/trygg/flows"
)

// Examples turns labelled messages into the classifier's training examples, with the hints
// set's rules read in each (classify.Hints). A message played after a context is trained
// on its own text: the classifier reads one message.
func Examples(set *flows.Set, msgs []Message) []classify.Example {
	out := make([]classify.Example, 0, len(msgs))
	for _, m := range msgs {
		hints := classify.Hints(set.Matcher.Read(m.Text, Now))
		out = append(out, classify.Example{Text: m.Text, Hints: hints, Topic: m.Topic, Danger: m.Danger})
	}
	return out
}

// TrainModel trains trygg's classifier on msgs (the train split) with cfg, with the hints
// of set's rules.
func TrainModel(set *flows.Set, msgs []Message, cfg classify.Config) (*classify.Model, error) {
	m, err := classify.Train(Examples(set, msgs), cfg)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return m, nil
}

// CrossValidate measures the engine with a classifier it was not trained with: msgs are
// dealt into k folds (classify.Fold); for each fold a classifier is trained with cfg on the
// other folds and the fold's messages are played through an engine on set with it, once
// for each of the thresholds. It returns the outcomes of every message for each
// thresholds, in msgs' order. Only the train split belongs here: the heldout split
// measures what cross-validation chose.
func CrossValidate(set *flows.Set, msgs []Message, k int, cfg classify.Config, ths []classify.Thresholds) ([][]Outcome, error) {
	if k < 2 {
		return nil, fmt.Errorf("cross-validation needs 2 folds or more, not %d", k)
	}
	out := make([][]Outcome, len(ths))
	for i := range out {
		out[i] = make([]Outcome, len(msgs))
	}
	for f := 0; f < k; f++ {
		var train []Message
		for i, m := range msgs {
			if classify.Fold(i, k) != f {
				train = append(train, m)
			}
		}
		model, err := TrainModel(set, train, cfg)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", f, err)
		}
		for t, th := range ths {
			e := bot.New(set, bot.Options{Classifier: model.WithThresholds(th)})
			for i, m := range msgs {
				if classify.Fold(i, k) == f {
					out[t][i] = Play(e, m)
				}
			}
		}
	}
	return out, nil
}
