package slack

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// renderText draws Block Kit blocks as text, roughly as Slack lays them out: a header
// underlined, sections as paragraphs (a resident's SMS in a box, since it is
// plain text shown as written), fields two to a line, context as small print, dividers as
// rules.
func renderText(blocks []slackapi.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		switch x := bl.(type) {
		case *slackapi.HeaderBlock:
			fmt.Fprintf(&b, "%s\n%s\n", x.Text.Text, strings.Repeat("=", len([]rune(x.Text.Text))))
		case *slackapi.SectionBlock:
			if x.Text != nil {
				if x.Text.Type == slackapi.PlainTextType {
					b.WriteString(box(x.Text.Text))
				} else {
					b.WriteString(x.Text.Text + "\n")
				}
			}
			for i := 0; i < len(x.Fields); i += 2 {
				cells := []string{cell(x.Fields[i].Text)}
				if i+1 < len(x.Fields) {
					cells = append(cells, cell(x.Fields[i+1].Text))
				}
				b.WriteString(strings.TrimRight(fmt.Sprintf("  %-44s%s", cells[0], strings.Join(cells[1:], "")), " ") + "\n")
			}
		case *slackapi.ContextBlock:
			var parts []string
			for _, el := range x.ContextElements.Elements {
				if t, ok := el.(*slackapi.TextBlockObject); ok {
					parts = append(parts, t.Text)
				}
			}
			fmt.Fprintf(&b, "  (small) %s\n", strings.Join(parts, " "))
		case *slackapi.DividerBlock:
			b.WriteString(strings.Repeat("-", 60) + "\n")
		default:
			fmt.Fprintf(&b, "[%s block]\n", bl.BlockType())
		}
	}
	return b.String()
}

// cell writes a field "*label*\nvalue" as "label: value".
func cell(s string) string {
	label, value, _ := strings.Cut(s, "\n")
	return strings.Trim(label, "*") + ": " + value
}

// box frames plain text, wrapped at 56 columns.
func box(s string) string {
	const width = 56
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
				lines = append(lines, line)
				line = ""
			}
			if line != "" {
				line += " "
			}
			line += w
		}
		lines = append(lines, line)
	}
	var b strings.Builder
	b.WriteString("+" + strings.Repeat("-", width+2) + "+\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "| %s%s |\n", l, strings.Repeat(" ", width-len([]rune(l))))
	}
	b.WriteString("+" + strings.Repeat("-", width+2) + "+\n")
	return b.String()
}

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update after an intended change); got:\n%s", path, got)
	}
}
