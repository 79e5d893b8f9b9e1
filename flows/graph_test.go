package flows_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vasteras/trygg/flows"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Mermaid lines the graph may contain: a node with a quoted label in one of four shapes, an
// edge with or without a quoted label, and the start node.
var (
	mermaidID    = `[A-Za-z][A-Za-z0-9_]*`
	label        = `"[^"]*"`
	mermaidNode  = regexp.MustCompile(`^  (` + mermaidID + `)(\[` + label + `\]|\[/` + label + `/\]|\{` + label + `\}|\(\[` + label + `\]\))$`)
	mermaidEdge  = regexp.MustCompile(`^  (` + mermaidID + `) (-->|-- ` + label + ` -->|-\. ` + label + ` \.->) (` + mermaidID + `)$`)
	mermaidStart = regexp.MustCompile(`^  message\(\[a message\]\)$`)
)

// graph renders the set's graph.
func graph(t *testing.T, set *flows.Set) string {
	t.Helper()
	var b bytes.Buffer
	if err := flows.Graph(&b, set); err != nil {
		t.Fatalf("Graph: %v", err)
	}
	return b.String()
}

// checkMermaid checks that every line of out is a Mermaid line this package writes, and
// returns the edges as "from to" and the node ids.
func checkMermaid(t *testing.T, out string) (edges map[string]bool, nodes map[string]bool) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "flowchart TD" {
		t.Errorf("first line %q, want flowchart TD", lines[0])
	}
	edges, nodes = map[string]bool{}, map[string]bool{}
	for i, l := range lines[1:] {
		if m := mermaidNode.FindStringSubmatch(l); m != nil {
			nodes[m[1]] = true
			continue
		}
		if m := mermaidEdge.FindStringSubmatch(l); m != nil {
			edges[m[1]+" "+m[3]] = true
			continue
		}
		if !mermaidStart.MatchString(l) {
			t.Errorf("line %d is not Mermaid this package writes: %q", i+2, l)
		}
	}
	return edges, nodes
}

// TestGraphGolden compares the graph of the real flows with testdata/graph.mmd. After an
// intended change of the flows or the graph, run `go test ./flows -run Graph -update` and
// review the diff.
func TestGraphGolden(t *testing.T) {
	got := graph(t, realFiles(t).load(t))
	golden := filepath.Join("testdata", "graph.mmd")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("graph differs from %s (run with -update after an intended change):\n%s", golden, got)
	}
}

// TestGraphHasEveryEdge: every node is drawn, and every go, route branch, wait answer,
// topic and global word is an edge.
func TestGraphHasEveryEdge(t *testing.T) {
	set := realFiles(t).load(t)
	edges, nodes := checkMermaid(t, graph(t, set))
	d := set.Def
	id := func(s string) string { return "n_" + s }
	need := func(from, to string) {
		t.Helper()
		if !edges[from+" "+id(to)] {
			t.Errorf("no edge %s --> %s", from, id(to))
		}
	}
	for name, n := range d.Nodes {
		if !nodes[id(name)] {
			t.Errorf("node %s is not drawn", name)
		}
		if n.Go != "" {
			need(id(name), n.Go)
		}
		for _, b := range n.Route {
			need(id(name), b.Go)
		}
		for _, next := range n.Wait {
			need(id(name), next)
		}
	}
	for _, tp := range d.Topics {
		need("message", tp.Go)
	}
	for _, g := range []string{d.Globals.Erase, d.Globals.Menu, d.Globals.Person, d.Globals.Language, d.Fallback} {
		need("message", g)
	}
	if len(edges) < len(d.Nodes) {
		t.Errorf("%d edges for %d nodes", len(edges), len(d.Nodes))
	}
}

// TestGraphEscapes: quotes in labels and odd characters in node ids cannot break the diagram.
func TestGraphEscapes(t *testing.T) {
	f := realFiles(t)
	f.replace(t, mainYAML, "  language:\n    say: language\n", "  language:\n    say: language\n    go: \"say it again\"\n")
	f.appendTo(mainYAML, `
  "say it again":
    say: menu
    wait:
      'say "hi"': "odd-id/ä"
      else: welcome
  "odd-id/ä":
    say: menu
`)
	out := graph(t, f.load(t))
	edges, nodes := checkMermaid(t, out)
	if !strings.Contains(out, `"answer say #quot;hi#quot;"`) {
		t.Errorf("the quotes of the answer are not escaped:\n%s", out)
	}
	if len(nodes) != len(f.load(t).Def.Nodes) {
		t.Errorf("%d nodes drawn, want %d: ids with spaces or symbols must stay distinct", len(nodes), len(f.load(t).Def.Nodes))
	}
	var from, to string
	for e := range edges {
		if a, b, _ := strings.Cut(e, " "); a == "n_language" {
			from = b
		}
	}
	if from == "" {
		t.Fatalf("no edge from language:\n%s", out)
	}
	for e := range edges {
		if a, b, _ := strings.Cut(e, " "); a == from && b != "n_welcome" {
			to = b
		}
	}
	if to == "" || to == from {
		t.Errorf("no edge from %s to the odd-id node:\n%s", from, out)
	}
}
