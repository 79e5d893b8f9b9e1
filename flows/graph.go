package flows

import (
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Graph writes the conversation graph as a Mermaid flowchart: every node with the message
// it says, every way out of it with its condition or answer, and the topics and global
// words that start conversations.
func Graph(w io.Writer, s *Set) error {
	d := s.Def
	var b strings.Builder
	b.WriteString("flowchart TD\n")
	b.WriteString("  message([a message])\n")
	for _, t := range d.Topics {
		fmt.Fprintf(&b, "  message -- %s --> %s\n", quote("topic: "+t.Intent), mermaidID(t.Go))
	}
	g := d.Globals
	for _, e := range [][2]string{{"STOPP", g.Erase}, {"MENY", g.Menu}, {"PERSON", g.Person}, {"SVENSKA/ENGLISH/SUOMI", g.Language}, {"not understood", d.Fallback}} {
		fmt.Fprintf(&b, "  message -. %s .-> %s\n", quote(e[0]), mermaidID(e[1]))
	}
	for _, id := range sortedNodeIDs(d) {
		n := d.Nodes[id]
		if n == nil {
			continue
		}
		label := id
		if n.Say != "" {
			label += "<br/>says " + n.Say
		}
		if n.Event != nil {
			label += "<br/>event " + n.Event.Kind
			if n.Event.Route != "" {
				label += " " + n.Event.Route
			}
		}
		shape := "[%s]"
		switch {
		case len(n.Wait) > 0:
			shape = "[/%s/]"
		case len(n.Route) > 0:
			shape = "{%s}"
		case n.Ends():
			shape = "([%s])"
		}
		fmt.Fprintf(&b, "  %s"+shape+"\n", mermaidID(id), quote(label))
		if n.Go != "" {
			fmt.Fprintf(&b, "  %s --> %s\n", mermaidID(id), mermaidID(n.Go))
		}
		for _, br := range n.Route {
			cond := br.If
			if cond == "" {
				cond = "otherwise"
			}
			fmt.Fprintf(&b, "  %s -- %s --> %s\n", mermaidID(id), quote(cond), mermaidID(br.Go))
		}
		for _, key := range sortedKeys(n.Wait) {
			fmt.Fprintf(&b, "  %s -- %s --> %s\n", mermaidID(id), quote("answer "+key), mermaidID(n.Wait[key]))
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("write graph: %w", err)
	}
	return nil
}

// mermaidID makes a node id safe as a Mermaid id: "n_" and the id when it is letters,
// digits and underscores ("end" alone is a keyword), else "h_" and the id in hex, so ids
// with spaces or symbols stay distinct and cannot break the diagram.
func mermaidID(id string) string {
	for _, r := range id {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "h_" + hex.EncodeToString([]byte(id))
		}
	}
	return "n_" + id
}

// quote makes a Mermaid label, escaping quotes.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, "#quot;") + `"` }
