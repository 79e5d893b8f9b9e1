package main

import (
	"fmt"
	"io"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
)

// flowsCmd runs `trygg flows check [--parts]` and `trygg flows graph`.
func flowsCmd(cfg config.Config, args []string, stdout, stderr io.Writer) int {
	parts := len(args) == 2 && args[0] == "check" && (args[1] == "--parts" || args[1] == "-parts")
	if !parts && (len(args) != 1 || (args[0] != "check" && args[0] != "graph")) {
		fmt.Fprintln(stderr, "usage: trygg flows check [--parts] | trygg flows graph")
		return 2
	}
	set, err := flows.Load(app.Source(cfg))
	if err != nil {
		fmt.Fprintf(stderr, "%v\n", err)
		return 1
	}
	if args[0] == "graph" {
		if err := flows.Graph(stdout, set); err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
		return 0
	}
	problems := flows.Check(set)
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	if len(problems) > 0 {
		if len(problems) == 1 {
			fmt.Fprintln(stderr, "1 problem")
		} else {
			fmt.Fprintf(stderr, "%d problems\n", len(problems))
		}
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d nodes, %d messages in %d languages\n", len(set.Def.Nodes), len(set.Catalog.IDs()), len(set.Catalog.Langs()))
	// Lines that need a check before launch: told, not failed.
	for _, n := range flows.Notices(set) {
		fmt.Fprintln(stdout, n)
	}
	if parts {
		if err := flows.WriteParts(stdout, flows.Parts(set)); err != nil {
			fmt.Fprintf(stderr, "trygg: %v\n", err)
			return 1
		}
	}
	return 0
}
