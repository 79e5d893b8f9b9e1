package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/bot/classify"
	"github.com/vasteras/trygg/bot/corpus"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
)

// evalCmd runs `trygg eval`: it plays the labelled corpus through the engine on the
// configured flows and prints the figures.
func evalCmd(cfg config.Config, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "bot/testdata/corpus", "the corpus directory (with train/ and heldout/)")
	split := fs.String("split", "all", "which split: train, heldout or all")
	lang := fs.String("lang", "", "only messages in this language: sv, en or fi (default: all)")
	verbose := fs.Bool("v", false, "list every miss with its id, text, label and what the engine did")
	cv := fs.Int("cv", 0, "measure by k-fold cross-validation on the train split: each fold is played with a classifier trained on the others")
	sweep := fs.String("sweep", "", "with --cv: a table of the classifier's thresholds (thresholds) or of its features and training (features) instead of the figures")
	rulesOnly := fs.Bool("rules-only", false, "without the classifier: the rules alone")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trygg: eval takes no arguments (%q)\n", fs.Arg(0))
		return 2
	}
	if *sweep != "" && (*cv == 0 || *sweep != "thresholds" && *sweep != "features") {
		fmt.Fprintf(stderr, "trygg: --sweep is thresholds or features, with --cv\n")
		return 2
	}
	if *cv > 0 && *split != corpus.Train {
		fmt.Fprintf(stderr, "trygg: --cv measures on the train split only: add --split train\n")
		return 2
	}
	var splits []string
	switch *split {
	case "all":
		splits = []string{corpus.Train, corpus.Heldout}
	case corpus.Train, corpus.Heldout:
		splits = []string{*split}
	default:
		fmt.Fprintf(stderr, "trygg: --split %q: write train, heldout or all\n", *split)
		return 2
	}
	msgs, err := corpus.Load(os.DirFS(*dir), splits...)
	if err != nil {
		fmt.Fprintf(stderr, "trygg: corpus: %v\n", err)
		return 1
	}
	if *lang != "" {
		kept := msgs[:0]
		for _, m := range msgs {
			if m.Lang == *lang {
				kept = append(kept, m)
			}
		}
		msgs = kept
	}
	if len(msgs) == 0 {
		fmt.Fprintf(stderr, "trygg: no messages in %s for --split %s --lang %q\n", *dir, *split, *lang)
		return 1
	}
	set, err := flows.Load(app.Source(cfg))
	if err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	if *cv > 0 {
		return crossValidate(set, msgs, *cv, *sweep, *verbose, stdout, stderr)
	}
	outs := corpus.Run(bot.New(set, bot.Options{RulesOnly: *rulesOnly}), msgs)
	corpus.Report(stdout, outs, corpus.Options{Verbose: *verbose})
	return 0
}

// crossValidate runs `trygg eval --cv k`: the figures of the engine whose classifier never
// saw the messages it plays, with the default configuration; or with --sweep a table of
// configurations around it, each with the figures that choose between them.
func crossValidate(set *flows.Set, msgs []corpus.Message, k int, sweep string, verbose bool, stdout, stderr io.Writer) int {
	base := classify.DefaultConfig()
	switch sweep {
	case "":
		outs, err := corpus.CrossValidate(set, msgs, k, base, []classify.Thresholds{base.Thresholds})
		if err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
		for i := range outs[0] {
			outs[0][i].Msg.Split = fmt.Sprintf("train, %d-fold cross-validation", k)
		}
		corpus.Report(stdout, outs[0], corpus.Options{Verbose: verbose})
		return 0
	case "thresholds":
		var ths []classify.Thresholds
		for _, d := range []float64{0.03, 0.05, 0.1, 0.15} {
			for _, s := range []float64{0.1, 0.2} {
				for _, tm := range []float64{0.2, 0.3} {
					for _, km := range []float64{0, 0.5} {
						for _, o := range []float64{0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 0.9} {
							ths = append(ths, classify.Thresholds{TopicMin: tm, KnownMin: km, OverrideMin: o, DangerMin: d, SuicideMin: s})
						}
					}
				}
			}
		}
		outs, err := corpus.CrossValidate(set, msgs, k, base, ths)
		if err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "danger_min\tsuicide_min\ttopic_min\tknown_min\toverride_min\t"+scoreHeader)
		for i, th := range ths {
			fmt.Fprintf(tw, "%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\n", th.DangerMin, th.SuicideMin, th.TopicMin, th.KnownMin, th.OverrideMin, scoreRow(outs[i]))
		}
		tw.Flush()
		return 0
	}
	// Each variant changes one thing of the default configuration.
	variants := []struct {
		name string
		set  func(*classify.Config)
	}{
		{"default", func(*classify.Config) {}},
		{"words only", func(c *classify.Config) {
			c.Features = classify.Features{Words: true, HintWeight: c.Features.HintWeight}
		}},
		{"no bigrams", func(c *classify.Config) { c.Features.Bigrams = false }},
		{"no character n-grams", func(c *classify.Config) { c.Features.CharMax = 0 }},
		{"character 2-4-grams", func(c *classify.Config) { c.Features.CharMin, c.Features.CharMax = 2, 4 }},
		{"character 3-6-grams", func(c *classify.Config) { c.Features.CharMin, c.Features.CharMax = 3, 6 }},
		{"with stems", func(c *classify.Config) { c.Features.Stems = true }},
		{"no hints", func(c *classify.Config) { c.Features.HintWeight = 0 }},
		{"hint weight 2", func(c *classify.Config) { c.Features.HintWeight = 2 }},
		{"hint weight 4", func(c *classify.Config) { c.Features.HintWeight = 4 }},
		{"min count 2", func(c *classify.Config) { c.MinCount = 2 }},
		{"min count 5", func(c *classify.Config) { c.MinCount = 5 }},
		{"24 epochs", func(c *classify.Config) { c.Epochs = 24 }},
		{"rate 0.5", func(c *classify.Config) { c.Rate = 0.5 }},
		{"rate 4", func(c *classify.Config) { c.Rate = 4 }},
		{"rate 8", func(c *classify.Config) { c.Rate = 8 }},
		{"l2 1e-4", func(c *classify.Config) { c.L2 = 1e-4 }},
		{"decay 0.5", func(c *classify.Config) { c.Decay = 0.5 }},
		{"decay 0.2", func(c *classify.Config) { c.Decay = 0.2 }},
		{"danger rate = rate", func(c *classify.Config) { c.DangerRate = 0 }},
		{"danger rate 1", func(c *classify.Config) { c.DangerRate = 1 }},
		{"danger weight 2", func(c *classify.Config) { c.DangerWeight = 2 }},
		{"balance 0.5", func(c *classify.Config) { c.Balance = 0.5 }},
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "variant\t"+scoreHeader)
	for _, v := range variants {
		cfg := base
		v.set(&cfg)
		outs, err := corpus.CrossValidate(set, msgs, k, cfg, []classify.Thresholds{cfg.Thresholds})
		if err != nil {
			fmt.Fprintf(stderr, "trygg: %s: %v\n", v.name, err)
			return 1
		}
		fmt.Fprintf(tw, "%s\t%s\n", v.name, scoreRow(outs[0]))
	}
	tw.Flush()
	return 0
}

// scoreHeader and scoreRow are the columns of a sweep: what chooses between configurations.
const scoreHeader = "topic acc\tdanger recall\tmissed\tfalse alarms\tsuicide reply to other danger\twrong line\t"

func scoreRow(outs []corpus.Outcome) string {
	s := corpus.Score(outs)
	return fmt.Sprintf("%.1f%%\t%.1f%%\t%d\t%d\t%d\t%d\t", 100*s.TopicAccuracy(), 100*s.DangerRecall(),
		s.DangerLabelled-s.DangerFound, s.DangerFalse, s.SuicideToOther, s.WrongLine)
}
