package classify

import "fmt"

// Fold reports whether example i of n belongs to fold f of k: examples are dealt to the
// folds in turn, so that every fold has some of each file (the corpus is in files by
// language and kind).
func Fold(i, k int) int { return i % k }

// CrossValidate trains k models, each on all examples but one fold, and returns what each
// model reads in the fold it was not trained on: an honest estimate of how the
// classifier reads messages it has never seen.
func CrossValidate(examples []Example, cfg Config, k int) ([]Result, error) {
	if k < 2 {
		return nil, fmt.Errorf("cross-validation needs 2 folds or more, not %d", k)
	}
	out := make([]Result, len(examples))
	for f := 0; f < k; f++ {
		var train []Example
		for i, e := range examples {
			if Fold(i, k) != f {
				train = append(train, e)
			}
		}
		m, err := Train(train, cfg)
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", f, err)
		}
		for i, e := range examples {
			if Fold(i, k) == f {
				out[i] = m.Classify(e.Text, e.Hints)
			}
		}
	}
	return out, nil
}
