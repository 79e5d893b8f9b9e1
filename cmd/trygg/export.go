package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/lagesbild"
)

// export writes the lägesbild reports of one ISO week as CSV for import into EMBRACE.
func export(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer, now time.Time) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	week := fs.String("week", "", "ISO week, e.g. 2026-W48 (default: last week)")
	out := fs.String("out", "", "write to this file instead of standard output")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	defer a.Close()
	if *week == "" {
		*week = lagesbild.Week(now.In(a.Location).AddDate(0, 0, -7))
	}
	if _, _, err := lagesbild.WeekBounds(*week); err != nil {
		fmt.Fprintf(stderr, "trygg: --week: %v\n", err)
		return 2
	}
	if !cfg.RedisEnabled() {
		fmt.Fprintln(stderr, "trygg: no REDIS_URL/REDIS_ADDRS: reports live in the memory of the serving process, so this export is empty")
	}
	events, err := a.Lagesbild.Week(ctx, *week)
	if err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	w := stdout
	var f *os.File
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
		w = f
	}
	bw := bufio.NewWriter(w)
	err = lagesbild.WriteCSV(bw, events, app.LagesbildNames(a.Flows))
	if err == nil {
		err = bw.Flush()
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "trygg: %d reports of %s\n", len(events), *week)
	return 0
}
