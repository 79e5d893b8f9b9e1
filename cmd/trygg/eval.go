package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/vasteras/trygg/bot"
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
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trygg: eval takes no arguments (%q)\n", fs.Arg(0))
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
	outs := corpus.Run(bot.New(set, bot.Options{}), msgs)
	corpus.Report(stdout, outs, corpus.Options{Verbose: *verbose})
	return 0
}
