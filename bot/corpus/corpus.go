// Package corpus measures how well trygg understands what residents really write. It loads
// the labelled corpus (bot/testdata/corpus: one JSON message a line, see its README), plays
// every message through the real engine as the first message of a new conversation (after
// the turns in its context) and scores the replies against the labels: the topic, the
// victim's age, danger, and whether any reply gives a line meant for another age or sex.
//
// `trygg eval` prints the figures; the bot package's TestCorpus holds the safety gate.
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// The splits of the corpus, each a directory of *.jsonl files.
const (
	// Train is what rules and lexicons may be tuned against.
	Train = "train"
	// Heldout is never read while tuning: it measures whether the understanding generalises.
	Heldout = "heldout"
)

// Danger labels.
const (
	DangerNone    = "none"
	DangerNow     = "now"
	DangerThreat  = "threat"
	DangerSuicide = "suicide"
)

// Message is one labelled resident message.
type Message struct {
	ID        string   `json:"id"`
	Text      string   `json:"text"`
	Lang      string   `json:"lang"`
	Danger    string   `json:"danger"`
	Victim    string   `json:"victim"`
	VictimAge *int     `json:"victim_age"`
	WriterAge *int     `json:"writer_age"`
	VictimSex string   `json:"victim_sex"`
	Topic     string   `json:"topic"`
	Context   []string `json:"context"`
	Note      string   `json:"note"`

	// Split is the directory the message was read from: Train or Heldout.
	Split string `json:"-"`
	// File and Line locate the message, for problems.
	File string `json:"-"`
	Line int    `json:"-"`
}

// Load reads every *.jsonl file of the given splits under fsys (the corpus directory). A
// split without a directory has no messages. It fails on a line that is not a message or
// lacks a label, and on an id used twice.
func Load(fsys fs.FS, splits ...string) ([]Message, error) {
	var out []Message
	seen := map[string]string{}
	for _, split := range splits {
		names, err := fs.Glob(fsys, path.Join(split, "*.jsonl"))
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", split, err)
		}
		sort.Strings(names)
		for _, name := range names {
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", name, err)
			}
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
			for line := 1; sc.Scan(); line++ {
				b := bytes.TrimSpace(sc.Bytes())
				if len(b) == 0 {
					continue
				}
				var m Message
				dec := json.NewDecoder(bytes.NewReader(b))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&m); err != nil {
					return nil, fmt.Errorf("%s:%d: %w", name, line, err)
				}
				m.Split, m.File, m.Line = split, name, line
				if err := m.valid(); err != nil {
					return nil, fmt.Errorf("%s:%d: %w", name, line, err)
				}
				if at, ok := seen[m.ID]; ok {
					return nil, fmt.Errorf("%s:%d: id %s is also used at %s", name, line, m.ID, at)
				}
				seen[m.ID] = fmt.Sprintf("%s:%d", name, line)
				out = append(out, m)
			}
			if err := sc.Err(); err != nil {
				return nil, fmt.Errorf("read %s: %w", name, err)
			}
		}
	}
	return out, nil
}

// knownLangs are the languages a corpus message may be labelled with.
var knownLangs = map[string]bool{"sv": true, "en": true, "fi": true, "ar": true, "fa": true, "so": true, "ti": true}

// valid reports a message whose labels are missing or unknown.
func (m Message) valid() error {
	switch {
	case m.ID == "":
		return fmt.Errorf("no id")
	case strings.TrimSpace(m.Text) == "":
		return fmt.Errorf("%s: no text", m.ID)
	case !knownLangs[m.Lang]:
		return fmt.Errorf("%s: lang %q is not one of trygg's languages (sv, en, fi, ar, fa, so, ti)", m.ID, m.Lang)
	case m.Topic == "":
		return fmt.Errorf("%s: no topic", m.ID)
	}
	switch m.Danger {
	case DangerNone, DangerNow, DangerThreat, DangerSuicide:
	default:
		return fmt.Errorf("%s: danger %q is not none, now, threat or suicide", m.ID, m.Danger)
	}
	switch m.VictimSex {
	case "", "f", "m", "unknown":
	default:
		return fmt.Errorf("%s: victim_sex %q is not f, m or unknown", m.ID, m.VictimSex)
	}
	return nil
}

// LinesAge is the age whose lines a good reply gives, or nil when the message does not
// say it: the victim's, except when a relative or friend was killed (topic bereaved),
// where the writer is the one who needs support and their own age picks the number.
func (m Message) LinesAge() *int {
	if m.Topic == "bereaved" {
		return m.WriterAge
	}
	return m.VictimAge
}
