package corpus

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
)

// Scores are the figures of a set of outcomes.
type Scores struct {
	// N is the number of messages.
	N int
	// TopicRight counts the messages whose topic the engine answered.
	TopicRight int
	// Confusion counts the messages by labelled topic and answered topic.
	Confusion map[string]map[string]int
	// DangerLabelled, DangerFound, DangerFalse: messages labelled with danger, those of them
	// that got the danger reply, and messages without danger that got it.
	DangerLabelled, DangerFound, DangerFalse int
	// DangerByKind counts labelled and found danger by kind ("now", "threat", "suicide").
	DangerByKind map[string][2]int
	// AgeLabelled, AgeRight, AgeWrong: messages with a victim age (for a bereaved writer,
	// their own: Message.LinesAge), those where the engine holds exactly it (or a range
	// that holds it), those where it holds another.
	AgeLabelled, AgeRight, AgeWrong int
	// AgeSpurious counts messages without a victim age where the engine holds one.
	AgeSpurious int
	// WriterLabelled counts messages whose writer's age differs from the victim's known
	// age, and WriterTaken those where the engine holds the writer's age instead.
	WriterLabelled, WriterTaken int
	// SuicideToOther counts messages with danger now or a threat that got the suicide
	// reply: it has 112 too, but asks about the wrong thing.
	SuicideToOther int
	// WrongLine counts messages with a line for another age or sex (see Outcome.WrongLines).
	WrongLine int
}

// Score computes the figures of outcomes.
func Score(outs []Outcome) Scores {
	s := Scores{Confusion: map[string]map[string]int{}, DangerByKind: map[string][2]int{}}
	for _, o := range outs {
		m := o.Msg
		s.N++
		if s.Confusion[m.Topic] == nil {
			s.Confusion[m.Topic] = map[string]int{}
		}
		s.Confusion[m.Topic][o.Topic]++
		if TopicRight(o) {
			s.TopicRight++
		}
		if m.Danger != DangerNone {
			s.DangerLabelled++
			k := s.DangerByKind[m.Danger]
			k[0]++
			if o.Danger {
				s.DangerFound++
				k[1]++
			}
			s.DangerByKind[m.Danger] = k
		} else if o.Danger {
			s.DangerFalse++
		}
		switch {
		case m.LinesAge() != nil:
			s.AgeLabelled++
			switch {
			case AgeRight(o):
				s.AgeRight++
			case o.AgeMax > 0:
				s.AgeWrong++
			}
		case o.AgeMax > 0 && (m.WriterAge == nil || *m.WriterAge < o.AgeMin || *m.WriterAge > o.AgeMax):
			s.AgeSpurious++
		}
		// The writer's age matters where the victim's is known and another: a parent's age
		// must not be taken for the child's. Holding the writer's age when the victim's is
		// not said routes the writer, which is no mistake.
		if m.WriterAge != nil && m.LinesAge() != nil && *m.WriterAge != *m.LinesAge() {
			s.WriterLabelled++
			if o.AgeMax > 0 && o.AgeMin <= *m.WriterAge && *m.WriterAge <= o.AgeMax && !AgeRight(o) {
				s.WriterTaken++
			}
		}
		if len(o.WrongLines) > 0 {
			s.WrongLine++
		}
		if (m.Danger == DangerNow || m.Danger == DangerThreat) && o.Suicide {
			s.SuicideToOther++
		}
	}
	return s
}

// TopicRight reports whether the engine answered the labelled topic.
func TopicRight(o Outcome) bool { return SameTopic(o.Msg.Topic, o.Topic) }

// SameTopic reports whether an answer is right for a label. It is the label itself, or, for
// a message labelled "none" (nothing to route), the fallback ("not_understood"): it routes
// nothing either, and gives the numbers and 112.
func SameTopic(label, answered string) bool {
	return answered == label || label == "none" && answered == "not_understood"
}

// AgeRight reports whether the engine holds the labelled victim age, or a bereaved
// writer's own (Message.LinesAge); a birth year's two possible ages count when they hold it.
func AgeRight(o Outcome) bool {
	a := o.Msg.LinesAge()
	return a != nil && o.AgeMax > 0 && o.AgeMin <= *a && *a <= o.AgeMax
}

// DangerRecall is the share of messages with danger that got the danger reply (1 when none has).
func (s Scores) DangerRecall() float64 { return ratio(s.DangerFound, s.DangerLabelled, 1) }

// FalseAlarm is the share of messages without danger that got the danger reply.
func (s Scores) FalseAlarm() float64 {
	return ratio(s.DangerFalse, s.N-s.DangerLabelled, 0)
}

// TopicAccuracy is the share of messages whose topic the engine answered.
func (s Scores) TopicAccuracy() float64 { return ratio(s.TopicRight, s.N, 1) }

// AgeAccuracy is the share of messages with a victim age where the engine holds it.
func (s Scores) AgeAccuracy() float64 { return ratio(s.AgeRight, s.AgeLabelled, 1) }

func ratio(a, b int, empty float64) float64 {
	if b == 0 {
		return empty
	}
	return float64(a) / float64(b)
}

// Options choose what Report prints.
type Options struct {
	// Verbose lists every miss: id, text, label and what the engine did.
	Verbose bool
}

// Report prints the figures of outcomes: for each split, a summary per language, the
// precision and recall of each topic, and the topic confusion table.
func Report(w io.Writer, outs []Outcome, opts Options) {
	bySplit := map[string][]Outcome{}
	var splits []string
	for _, o := range outs {
		if bySplit[o.Msg.Split] == nil {
			splits = append(splits, o.Msg.Split)
		}
		bySplit[o.Msg.Split] = append(bySplit[o.Msg.Split], o)
	}
	sort.Strings(splits)
	for i := len(splits) - 1; i >= 0; i-- { // train before heldout
		split := splits[i]
		so := bySplit[split]
		fmt.Fprintf(w, "== %s: %d messages\n\n", split, len(so))
		summary(w, so)
		fmt.Fprintln(w)
		topics(w, so)
		fmt.Fprintln(w)
		confusion(w, so)
		fmt.Fprintln(w)
	}
	if opts.Verbose {
		misses(w, outs)
	}
}

// summary prints one line per language and one for all.
func summary(w io.Writer, outs []Outcome) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "lang\tmessages\ttopic acc\tdanger recall\tnow\tthreat\tsuicide\tfalse alarm\tvictim age\twrong age\tage from nothing\twriter age taken\twrong line\t")
	byLang := map[string][]Outcome{}
	for _, o := range outs {
		byLang[o.Msg.Lang] = append(byLang[o.Msg.Lang], o)
	}
	row := func(name string, os []Outcome) {
		s := Score(os)
		kind := func(k string) string {
			c := s.DangerByKind[k]
			return fmt.Sprintf("%d/%d", c[1], c[0])
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d/%d\t%d\t\n", name, s.N,
			pct(s.TopicAccuracy()), pct(s.DangerRecall()), kind(DangerNow), kind(DangerThreat), kind(DangerSuicide),
			fmt.Sprintf("%s (%d)", pct(s.FalseAlarm()), s.DangerFalse),
			fmt.Sprintf("%s (%d/%d)", pct(s.AgeAccuracy()), s.AgeRight, s.AgeLabelled), s.AgeWrong, s.AgeSpurious,
			s.WriterTaken, s.WriterLabelled, s.WrongLine)
	}
	// Swedish, English and Finnish first, then the other languages by their tags.
	langs := []string{"sv", "en", "fi"}
	var others []string
	for lang := range byLang {
		if !slices.Contains(langs, lang) {
			others = append(others, lang)
		}
	}
	sort.Strings(others)
	for _, lang := range append(langs, others...) {
		if len(byLang[lang]) > 0 {
			row(lang, byLang[lang])
		}
	}
	row("all", outs)
	tw.Flush()
}

// topics prints the precision and recall of each topic.
func topics(w io.Writer, outs []Outcome) {
	want, got, right := map[string]int{}, map[string]int{}, map[string]int{}
	names := map[string]bool{}
	for _, o := range outs {
		ans := o.Topic
		if TopicRight(o) {
			ans = o.Msg.Topic // the fallback for a "none" counts as answering "none"
			right[ans]++
		}
		want[o.Msg.Topic]++
		got[ans]++
		names[o.Msg.Topic], names[ans] = true, true
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "topic\tlabelled\tanswered\tright\tprecision\trecall\t")
	for _, t := range sortedKeys(names) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t\n", t, want[t], got[t], right[t], pct(ratio(right[t], got[t], 1)), pct(ratio(right[t], want[t], 1)))
	}
	tw.Flush()
}

// confusion prints the labelled topics as rows and what the engine answered instead, the
// misses only, most frequent first.
func confusion(w io.Writer, outs []Outcome) {
	s := Score(outs)
	fmt.Fprintln(w, "confusion (labelled -> answered: count), misses only:")
	for _, want := range sortedKeys(s.Confusion) {
		type cell struct {
			got string
			n   int
		}
		var cells []cell
		for got, n := range s.Confusion[want] {
			if !SameTopic(want, got) {
				cells = append(cells, cell{got, n})
			}
		}
		if len(cells) == 0 {
			continue
		}
		sort.Slice(cells, func(i, j int) bool {
			if cells[i].n != cells[j].n {
				return cells[i].n > cells[j].n
			}
			return cells[i].got < cells[j].got
		})
		var parts []string
		for _, c := range cells {
			parts = append(parts, fmt.Sprintf("%s %d", c.got, c.n))
		}
		fmt.Fprintf(w, "  %-18s -> %s\n", want, strings.Join(parts, ", "))
	}
}

// misses lists every message the engine got wrong in some way.
func misses(w io.Writer, outs []Outcome) {
	fmt.Fprintln(w, "== misses")
	for _, o := range outs {
		m := o.Msg
		var why []string
		if !TopicRight(o) {
			why = append(why, fmt.Sprintf("topic %s, want %s", o.Topic, m.Topic))
		}
		if (m.Danger != DangerNone) != o.Danger {
			why = append(why, fmt.Sprintf("danger %v, want %s", o.Danger, m.Danger))
		}
		if a := m.LinesAge(); a != nil && !AgeRight(o) {
			why = append(why, fmt.Sprintf("age %s, want %d", ageString(o), *a))
		}
		if m.LinesAge() == nil && o.AgeMax > 0 {
			why = append(why, fmt.Sprintf("age %s, want none", ageString(o)))
		}
		why = append(why, o.WrongLines...)
		if len(why) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s [%s] %q\n    %s\n    replies %s\n", m.ID, m.Split, m.Text, strings.Join(why, "; "), strings.Join(o.IDs, " "))
	}
}

func ageString(o Outcome) string {
	if o.AgeMin == o.AgeMax {
		return fmt.Sprint(o.AgeMax)
	}
	return fmt.Sprintf("%d-%d", o.AgeMin, o.AgeMax)
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
