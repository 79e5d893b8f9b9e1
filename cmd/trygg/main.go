// Command trygg is the chat and SMS front door to crime-victim support in Västerås.
//
// Usage:
//
//	trygg [serve]                       the HTTP server: every configured channel, health; metrics on their own port
//	trygg chat [--lang sv|en|fi]        a conversation in the terminal, one message per line
//	trygg flows check [--parts]         validate every flow and locale file (--parts: SMS parts per text)
//	trygg flows graph                   print the flows as a Mermaid diagram
//	trygg export --week 2026-W48        the week's lägesbild reports as CSV for EMBRACE
//	trygg locales status|export|import  translations beside the Swedish texts, for review
//	trygg eval [--split train|heldout|all] [--lang sv] [-v]
//	                                    how well trygg understands the labelled corpus
//	                                    (--cv 5: by cross-validation on the train split)
//	trygg train                         train the classifier (flows/classifier.bin) on the train split
//
// Configuration comes from environment variables; see the README.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Stockholm in a minimal container

	"github.com/vasteras/trygg/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// usage is printed for help and for unknown commands.
const usage = `trygg: the chat and SMS front door to crime-victim support in Västerås.

Usage:
  trygg [serve]                  run the HTTP server (the default)
  trygg chat [--lang sv|en|fi]   talk to trygg in the terminal, one message per line
  trygg flows check [--parts]    validate every flow and locale file; --parts also
                                 prints the SMS parts of every text
  trygg flows graph              print the flows as a Mermaid diagram
  trygg export [--week 2026-W48] [--out file]
                                 the week's lägesbild reports as CSV for EMBRACE
                                 (default: last week)
  trygg locales status|export|import
                                 who reviewed each language; a side-by-side file of a
                                 language's texts for a reviewer, and taking it back
  trygg eval [--split train|heldout|all] [--lang sv|en|fi] [-v] [--dir bot/testdata/corpus]
             [--cv 5 [--sweep]] [--rules-only]
                                 play the labelled corpus through the engine and print
                                 the figures; -v lists every miss; --cv 5 measures
                                 the engine by 5-fold cross-validation on train/, with
                                 --sweep for a table of the classifier's thresholds
  trygg train [--dir bot/testdata/corpus] [--out flows/classifier.bin]
                                 train the classifier on the corpus' train split

Configuration comes from environment variables (TRYGG_ADDR, REDIS_URL, TWILIO_*,
SLACK_* ...): see the README.
`

// run is the whole program, with its inputs and outputs as arguments. It returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "serve", "chat", "flows", "export", "locales", "eval", "train":
	default:
		fmt.Fprintf(stderr, "trygg: unknown command %q\n\n%s", cmd, usage)
		return 2
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "trygg: configuration:\n%v\n", err)
		return 2
	}
	switch cmd {
	case "serve":
		if len(args) > 0 {
			fmt.Fprintf(stderr, "trygg: serve takes no arguments (configure it with environment variables)\n\n%s", usage)
			return 2
		}
		log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
		return serve(ctx, cfg, log)
	case "chat":
		return chat(ctx, cfg, args, stdin, stdout, stderr)
	case "export":
		return export(ctx, cfg, args, stdout, stderr, time.Now())
	case "locales":
		return localesCmd(cfg, args, stdout, stderr)
	case "eval":
		return evalCmd(cfg, args, stdout, stderr)
	case "train":
		return trainCmd(cfg, args, stdout, stderr)
	default:
		return flowsCmd(cfg, args, stdout, stderr)
	}
}
