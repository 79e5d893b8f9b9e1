package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/vasteras/trygg/bot/classify"
	"github.com/vasteras/trygg/bot/corpus"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
)

// trainCmd runs `trygg train`: it trains the classifier on the corpus' train split with
// classify.DefaultConfig, with the hints of the configured flows' rules, and writes it
// where flows.Load reads it. The same corpus gives
// the same file, byte for byte; the bot package's TestClassifier proves the committed one
// is current (`go test ./bot -run Classifier -update` rewrites it too).
func trainCmd(cfg config.Config, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "bot/testdata/corpus", "the corpus directory (with train/)")
	out := fs.String("out", "flows/"+flows.ClassifierFile, "where to write the model")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trygg: train takes no arguments (%q)\n", fs.Arg(0))
		return 2
	}
	msgs, err := corpus.Load(os.DirFS(*dir), corpus.Train)
	if err != nil {
		fmt.Fprintf(stderr, "trygg: corpus: %v\n", err)
		return 1
	}
	set, err := flows.Load(app.Source(cfg).WithoutClassifier())
	if err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	start := time.Now()
	m, err := corpus.TrainModel(set, msgs, classify.DefaultConfig())
	if err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	took := time.Since(start)
	b, err := m.MarshalBinary()
	if err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "trained on %d messages in %v: %d features, %d topics; wrote %s (%d bytes)\n",
		len(msgs), took.Round(time.Millisecond), m.Features(), len(m.Topics()), *out, len(b))
	return 0
}
