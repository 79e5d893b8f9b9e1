package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
)

// localesUsage is the usage of `trygg locales`.
const localesUsage = `usage:
  trygg locales status                       each language and who reviewed its texts
  trygg locales export --lang ar [--out f]   the texts beside the Swedish ones, for a reviewer
                                             (a go-i18n file; default: review.<lang>.yaml)
  trygg locales import [--reviewer "name, date"] [--dir locales] review.ar.yaml
                                             take a reviewed file back into <dir>/<lang>.yaml
`

// localesCmd runs `trygg locales status|export|import`.
func localesCmd(cfg config.Config, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, localesUsage)
		return 2
	}
	set, err := flows.Load(app.Source(cfg))
	if err != nil {
		fmt.Fprintf(stderr, "trygg: %v\n", err)
		return 1
	}
	fs := flag.NewFlagSet("locales "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	lang := fs.String("lang", "", "the language, e.g. ar")
	out := fs.String("out", "", "where to write the review file")
	reviewer := fs.String("reviewer", "", "who reviewed the texts, e.g. \"Rana A., 2026-12-05\"")
	dir := fs.String("dir", cmp.Or(cfg.LocalesDir, "locales"), "the directory of the locale files to write")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	switch args[0] {
	case "status":
		for _, l := range set.Catalog.Langs() {
			who, recorded := set.Review(l)
			switch {
			case l == flows.DefaultLang:
				who = "the source language"
			case !recorded:
				who = "no review record (no \"# reviewed-by:\" line)"
			case who == "":
				who = "awaiting review by a native speaker"
			default:
				who = "reviewed by " + who
			}
			fmt.Fprintf(stdout, "%s\t%s\n", l, who)
		}
		return 0
	case "export":
		b, err := set.ReviewFile(*lang)
		if err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 2
		}
		name := cmp.Or(*out, "review."+*lang+".yaml")
		if name == "-" {
			_, _ = stdout.Write(b)
			return 0
		}
		if err := os.WriteFile(name, b, 0o644); err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s: give it to a reviewer who reads Swedish and %s\n", name, *lang)
		return 0
	case "import":
		if fs.NArg() != 1 {
			fmt.Fprint(stderr, localesUsage)
			return 2
		}
		file := fs.Arg(0)
		l := *lang
		if l == "" { // review.ar.yaml, ar.yaml
			parts := strings.Split(filepath.Base(file), ".")
			if len(parts) >= 2 {
				l = parts[len(parts)-2]
			}
		}
		review, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
		b, res, err := set.ImportReview(l, review, *reviewer)
		if err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
		target := filepath.Join(*dir, l+".yaml")
		if err := os.WriteFile(target, b, 0o644); err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote %s: %d texts changed\n", target, len(res.Changed))
		if len(res.Stale) > 0 {
			fmt.Fprintf(stdout, "not taken, the Swedish text changed since the export (export again): %s\n", strings.Join(res.Stale, ", "))
		}
		if len(res.Unknown) > 0 {
			fmt.Fprintf(stdout, "not taken, no such message: %s\n", strings.Join(res.Unknown, ", "))
		}
		fmt.Fprintln(stdout, "now run: trygg flows check (with TRYGG_LOCALES_DIR="+*dir+")")
		return 0
	}
	fmt.Fprint(stderr, localesUsage)
	return 2
}
