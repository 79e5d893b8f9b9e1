package bot_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"go.yaml.in/yaml/v3"
)

// update rewrites the recorded replies of the golden conversations with what the engine
// says now: `go test ./bot -run Golden -update`. Review the diff like code.
var update = flag.Bool("update", false, "rewrite the reply: fields of bot/testdata/conversations/*.yaml")

// conversation is one golden conversation file, bot/testdata/conversations/<name>.yaml.
//
//	# What the conversation shows, for a reader.
//	lang: en                      # optional: the conversation's language before the first turn
//	now: 2026-03-15T12:00:00Z     # optional: when the messages arrive (default testNow)
//	turns:
//	  - say: I'm 16 and I was robbed     # the resident's message
//	    want: ["010-567 63 25"]          # the reply must contain each of these
//	    never: ["021-41 32 60"]          # and none of these
//	    ids: [support_child]             # optional: the reply's message ids, in order
//	    events: [referred boj_youth]     # optional: the events, "kind" or "kind route", in order
//	    age: child                       # optional: the age group after the turn ("" = unknown: write unknown)
//	    lang: en                         # optional: the language of every reply
//	    staffed: false                   # optional: staff on duty
//	    reply: |-                        # the whole reply, recorded by -update
//	      Thank you for getting in touch. ...
//
// Every reply is also held to the engine's safety rules (turnProblems).
type conversation struct {
	Lang  string    `yaml:"lang"`
	Now   time.Time `yaml:"now"`
	Turns []turn    `yaml:"turns"`
}

type turn struct {
	Say     string   `yaml:"say"`
	Want    []string `yaml:"want"`
	Never   []string `yaml:"never"`
	IDs     []string `yaml:"ids"`
	Events  []string `yaml:"events"`
	Age     string   `yaml:"age"`
	Lang    string   `yaml:"lang"`
	Staffed bool     `yaml:"staffed"`
	// Invite, InviteHeld and OmbudAreas are what the host knows of Grannsamverkan before
	// the turn.
	Invite     string   `yaml:"invite"`
	InviteHeld bool     `yaml:"invite_held"`
	OmbudAreas []string `yaml:"ombud_areas"`
	// End, instead of Say, ends a handoff as staff or the clock would: "staff" or "timeout".
	End   string  `yaml:"end"`
	Reply *string `yaml:"reply"`
}

const conversationsDir = "testdata/conversations"

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(conversationsDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no golden conversations in %s", conversationsDir)
	}
	set := loadSet(t)
	e := bot.New(set, bot.Options{})
	said := map[string]bool{} // lang/message id of every reply, age variants as their message
	ids := map[string]bool{}  // lang/message id of every reply, as said
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c conversation
			dec := yaml.NewDecoder(bytes.NewReader(data))
			dec.KnownFields(true)
			if err := dec.Decode(&c); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if len(c.Turns) == 0 {
				t.Fatalf("%s: no turns", file)
			}
			replies := runConversation(t, e, file, c, said, ids)
			if *update {
				if err := rewriteReplies(file, data, replies); err != nil {
					t.Fatal(err)
				}
			}
		})
	}

	// Every message, in every language, is said in some golden conversation: every topic,
	// every global word, every safety message. Age variants are counted with their message.
	// Not needed: the footer (added to replies, never said alone), the safe reply (said
	// only when something around the engine fails; see internal/conversation) and the
	// rate-limit notice (said by a channel past its limit; see Engine.RateLimited) and the
	// handoff footer (added by the host under staff messages; see TestHandoffFooter) and the
	// handoff waiting notice (sent by the host while a case waits; see TestHandoffWaiting)
	// and the media reply (to a picture or voice note, which a golden turn cannot carry;
	// see TestMedia).
	var missing []string
	for _, lang := range set.Catalog.Langs() {
		for _, id := range set.Catalog.IDs() {
			base, _ := flows.SplitVariant(id)
			if base == id && id != set.Def.Safety.Footer && id != set.Def.Safety.Safe && id != set.Def.Safety.RateLimited &&
				id != set.Def.Safety.OtherLanguage && id != set.Def.Globals.HandoffFooter && id != set.Def.Globals.HandoffWaiting && id != set.Def.Globals.Media && !said[lang+"/"+id] && !strings.HasPrefix(id, "staff_") && !strings.HasPrefix(id, "web_") && !strings.HasPrefix(id, flows.PartPrefix) {
				missing = append(missing, lang+"/"+id)
			}
		}
	}
	if len(missing) > 0 && !t.Failed() {
		t.Errorf("no golden conversation says %v", missing)
	}
	t.Logf("%d conversations say %d messages with their age variants in %d languages", len(files), len(ids), len(set.Catalog.Langs()))
}

// runConversation plays a conversation through the engine, checks every turn and returns
// the replies it got.
func runConversation(t *testing.T, e *bot.Engine, file string, c conversation, said, ids map[string]bool) []string {
	now := c.Now
	if now.IsZero() {
		now = testNow
	}
	st := bot.State{Lang: c.Lang}
	var replies []string
	for i, tn := range c.Turns {
		where := fmt.Sprintf("%s: turn %d %q", file, i+1, tn.Say)
		res := e.Turn(st, bot.Message{Text: tn.Say, Staffed: tn.Staffed, Invite: tn.Invite, InviteHeld: tn.InviteHeld, OmbudAreas: tn.OmbudAreas}, now)
		if tn.End != "" {
			res = e.EndHandoff(st, tn.End)
		}
		got := res.Text()
		replies = append(replies, got)
		for _, r := range res.Replies {
			base, _ := flows.SplitVariant(r.MessageID)
			said[r.Lang+"/"+base] = true
			ids[r.Lang+"/"+r.MessageID] = true
		}
		checkTurn(t, where, res)
		for _, w := range tn.Want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: reply lacks %q:\n%s", where, w, got)
			}
		}
		for _, n := range tn.Never {
			if strings.Contains(got, n) {
				t.Errorf("%s: reply has %q:\n%s", where, n, got)
			}
		}
		if tn.IDs != nil {
			var ids []string
			for _, r := range res.Replies {
				ids = append(ids, r.MessageID)
			}
			if !slices.Equal(ids, tn.IDs) {
				t.Errorf("%s: message ids %v, want %v", where, ids, tn.IDs)
			}
		}
		if tn.Events != nil {
			events := []string{}
			for _, ev := range res.Events {
				s := string(ev.Kind)
				if ev.Route != "" {
					s += " " + ev.Route
				}
				events = append(events, s)
			}
			if !slices.Equal(events, tn.Events) {
				t.Errorf("%s: events %v, want %v", where, events, tn.Events)
			}
		}
		if tn.Age != "" {
			got := string(res.State.Group())
			if got == "" {
				got = "unknown"
			}
			if got != tn.Age {
				t.Errorf("%s: age group %s (age %d-%d), want %s", where, got, res.State.AgeMin, res.State.AgeMax, tn.Age)
			}
		}
		if tn.Lang != "" {
			for _, r := range res.Replies {
				if r.Lang != tn.Lang {
					t.Errorf("%s: reply %s is in %s, want %s", where, r.MessageID, r.Lang, tn.Lang)
				}
			}
		}
		switch {
		case *update:
		case tn.Reply == nil:
			t.Errorf("%s: no recorded reply; run go test ./bot -run Golden -update and review the diff", where)
		case *tn.Reply != got:
			t.Errorf("%s: reply changed; if that is right, run go test ./bot -run Golden -update and review the diff\n--- recorded\n%s\n--- now\n%s", where, *tn.Reply, got)
		}
		// The host stores the state between messages: go through the stored form.
		data, err := res.State.Encode()
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		if st, err = bot.DecodeState(data); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
	}
	return replies
}

// rewriteReplies sets the reply: of each turn in the file to the replies got. It edits the
// lines of the reply: blocks only, so everything else stays as it was written (comments,
// quoting, emoji); a new reply: goes after the turn's last line. reply: must be the last key
// of its turn.
func rewriteReplies(file string, data []byte, replies []string) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	top := doc.Content[0]
	turns := mapValue(top, "turns")
	if turns == nil || len(turns.Content) != len(replies) {
		return fmt.Errorf("%s: turns do not match the replies", file)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	// The line (0-based) after the turns: the next top-level key, or the end of the file.
	after := len(lines)
	for i := 0; i+1 < len(top.Content); i += 2 {
		if k := top.Content[i]; k.Line-1 > turns.Line-1 && k.Value != "turns" && k.Line-1 < after {
			after = k.Line - 1
		}
	}
	for i := len(turns.Content) - 1; i >= 0; i-- {
		tn := turns.Content[i]
		end := after
		if i+1 < len(turns.Content) {
			end = turns.Content[i+1].Line - 1
		}
		// Leave the blank lines and comments between two turns where they are.
		for end > tn.Line && (strings.TrimSpace(lines[end-1]) == "" || strings.HasPrefix(strings.TrimSpace(lines[end-1]), "#")) {
			end--
		}
		start := end
		for j := 0; j+1 < len(tn.Content); j += 2 {
			if k := tn.Content[j]; k.Value == "reply" {
				if j+2 != len(tn.Content) {
					return fmt.Errorf("%s:%d: reply: must be the last key of its turn", file, k.Line)
				}
				start = k.Line - 1
			}
		}
		indent := strings.Repeat(" ", tn.Column-1)
		block := []string{indent + "reply: |-"}
		if replies[i] == "" {
			block = []string{indent + `reply: ""`}
		} else {
			for _, l := range strings.Split(replies[i], "\n") {
				if l != "" {
					l = indent + "  " + l
				}
				block = append(block, l)
			}
		}
		lines = append(lines[:start], append(block, lines[end:]...)...)
	}
	out := []byte(strings.Join(lines, "\n") + "\n")
	// Read it back: the file must still parse and hold exactly the new replies.
	var c conversation
	if err := yaml.Unmarshal(out, &c); err != nil {
		return fmt.Errorf("%s: rewritten file does not parse: %w", file, err)
	}
	for i, tn := range c.Turns {
		if tn.Reply == nil || *tn.Reply != replies[i] {
			return fmt.Errorf("%s: turn %d: rewritten reply reads back differently", file, i+1)
		}
	}
	if bytes.Equal(out, data) {
		return nil
	}
	return os.WriteFile(file, out, 0o644)
}

// mapValue returns the value of key in a YAML mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// TestRewriteReplies checks the -update writer: replies replaced or added, everything else
// (comments, quoting, emoji, blank lines) left as written.
func TestRewriteReplies(t *testing.T) {
	in := `# A comment.
lang: sv
turns:
  - say: "hej 🙂"   # emoji stay emoji
    ids: [welcome]
    reply: |-
      old
      text

  # Between the turns.
  - say: "2"
`
	want := `# A comment.
lang: sv
turns:
  - say: "hej 🙂"   # emoji stay emoji
    ids: [welcome]
    reply: |-
      new

      two paragraphs

  # Between the turns.
  - say: "2"
    reply: |-
      second
`
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := rewriteReplies(file, []byte(in), []string{"new\n\ntwo paragraphs", "second"}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("rewritten:\n%s\nwant:\n%s", got, want)
	}
	bad := "turns:\n  - say: x\n    reply: y\n    ids: [a]\n"
	if err := rewriteReplies(file, []byte(bad), []string{"z"}); err == nil {
		t.Error("a reply: before other keys was rewritten; want an error")
	}
}
