package flows

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/vasteras/trygg/internal/gsm7"
)

// PartPrefix starts the ids of text fragments: the words trygg builds template data from
// (day names, "2 år", the default handoff readers). No node says them; they are never sent
// alone.
const PartPrefix = "part_"

// The template data a text may use, filled from the configuration (see TextConfig):
//
//	{{.StaffedHours}}     when staff take handoffs, e.g. "vardagar 9-16"; "" when never
//	                      (write {{if .StaffedHours}}…{{end}} around it)
//	{{.HandoffReaders}}   who reads a handoff, e.g. "en person i personalen"
//	{{.LagesbildKept}}    how long reports of unsafe places are kept, e.g. "2 år"
//	{{.ConversationKept}} how long a silent conversation is kept, e.g. "24 timmar"
const (
	DataStaffedHours     = "StaffedHours"
	DataHandoffReaders   = "HandoffReaders"
	DataLagesbildKept    = "LagesbildKept"
	DataConversationKept = "ConversationKept"
)

// Opening is one weekly stretch of staffed hours: the days (indexed by time.Weekday) and
// the minutes after midnight it starts and ends (end exclusive, at most 24*60).
type Opening struct {
	Days       [7]bool
	Start, End int
}

// TextConfig is what texts may say of trygg's configuration.
type TextConfig struct {
	// Staffed are the weekly staffed hours (TRYGG_STAFFED_HOURS); none: never staffed.
	Staffed []Opening
	// HandoffReaders says who reads a handoff, by language; the key "" is for every
	// language without its own (TRYGG_HANDOFF_READERS). Empty: the part_handoff_readers text.
	HandoffReaders map[string]string
	// LagesbildKept is how long reports of unsafe places are kept (TRYGG_LAGESBILD_RETENTION).
	LagesbildKept time.Duration
	// ConversationKept is how long a silent conversation is kept (TRYGG_CONVERSATION_TTL).
	ConversationKept time.Duration
}

// SampleTextConfig is the configuration the texts are rendered with at load, and measured
// with by `flows check`: staffed weekdays 09:00-16:00 and the defaults.
func SampleTextConfig() TextConfig {
	weekdays := [7]bool{}
	for d := time.Monday; d <= time.Friday; d++ {
		weekdays[d] = true
	}
	return TextConfig{
		Staffed:          []Opening{{Days: weekdays, Start: 9 * 60, End: 16 * 60}},
		LagesbildKept:    730 * 24 * time.Hour,
		ConversationKept: 24 * time.Hour,
	}
}

// PartIDs are the fragments TextData reads; each must exist in every language.
var PartIDs = []string{
	"part_weekdays", "part_every_day", "part_day_mon", "part_day_tue", "part_day_wed",
	"part_day_thu", "part_day_fri", "part_day_sat", "part_day_sun", "part_opening",
	"part_handoff_readers", "part_duration_year", "part_duration_years", "part_duration_day",
	"part_duration_days", "part_duration_hour", "part_duration_hours",
}

// TextData returns the template data of lang's texts for a configuration.
func (c *Catalog) TextData(lang string, tc TextConfig) (map[string]any, error) {
	var errs []error
	part := func(id string, data map[string]any) string {
		s, err := c.localize(lang, id, data)
		if err != nil {
			errs = append(errs, err)
		}
		return s
	}
	var hours []string
	for _, o := range tc.Staffed {
		hours = append(hours, part("part_opening", map[string]any{
			"Days": c.days(o.Days, part), "From": shortClock(o.Start), "To": shortClock(o.End),
			"FromClock": fullClock(o.Start), "ToClock": fullClock(o.End),
		}))
	}
	readers := tc.HandoffReaders[lang]
	if readers == "" {
		readers = tc.HandoffReaders[""]
	}
	if readers == "" {
		readers = part("part_handoff_readers", nil)
	}
	data := map[string]any{
		DataStaffedHours:     strings.Join(hours, ", "),
		DataHandoffReaders:   readers,
		DataLagesbildKept:    duration(tc.LagesbildKept, part),
		DataConversationKept: duration(tc.ConversationKept, part),
	}
	return data, errors.Join(errs...)
}

// localize renders fragment id of lang with data; a fragment missing in lang comes from
// the default language, and one missing everywhere is "" (check reports it).
func (c *Catalog) localize(lang, id string, data map[string]any) (string, error) {
	s, err := i18n.NewLocalizer(c.bundle, lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	var nf *i18n.MessageNotFoundErr
	if err != nil && !errors.As(err, &nf) {
		return "", fmt.Errorf("message %s: %w", id, err)
	}
	return s, nil
}

// days names a set of weekdays: "vardagar", "alla dagar", or the days Monday first with
// runs folded ("mån-tor,lör").
func (c *Catalog) days(days [7]bool, part func(string, map[string]any) string) string {
	weekdays := days[time.Monday] && days[time.Tuesday] && days[time.Wednesday] && days[time.Thursday] && days[time.Friday]
	switch {
	case weekdays && days[time.Saturday] && days[time.Sunday]:
		return part("part_every_day", nil)
	case weekdays && !days[time.Saturday] && !days[time.Sunday]:
		return part("part_weekdays", nil)
	}
	names := []string{"part_day_sun", "part_day_mon", "part_day_tue", "part_day_wed", "part_day_thu", "part_day_fri", "part_day_sat"}
	day := func(i int) time.Weekday { return time.Weekday((i + 1) % 7) } // Monday first
	var groups []string
	for i := 0; i < 7; {
		if !days[day(i)] {
			i++
			continue
		}
		j := i
		for j+1 < 7 && days[day(j+1)] {
			j++
		}
		g := part(names[day(i)], nil)
		if j > i {
			g += "-" + part(names[day(j)], nil)
		}
		groups = append(groups, g)
		i = j + 1
	}
	return strings.Join(groups, ",")
}

// shortClock writes minutes after midnight as "9" or "9.30".
func shortClock(m int) string {
	if m%60 == 0 {
		return strconv.Itoa(m / 60)
	}
	return fmt.Sprintf("%d.%02d", m/60, m%60)
}

// fullClock writes minutes after midnight as "09:00".
func fullClock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// duration words a duration in whole years (of 365 days), days or hours, rounding up: it
// never says a shorter time than the real one.
func duration(d time.Duration, part func(string, map[string]any) string) string {
	const day, year = 24 * time.Hour, 365 * 24 * time.Hour
	unit, n := "hour", int((d+time.Hour-1)/time.Hour)
	switch {
	case d > 0 && d%year == 0:
		unit, n = "year", int(d/year)
	case d > 0 && d%day == 0:
		unit, n = "day", int(d/day)
	}
	if n == 1 {
		return part("part_duration_"+unit, nil)
	}
	return part("part_duration_"+unit+"s", map[string]any{"N": n})
}

// CheckConfigured finds the texts that a configuration makes too long: each text that
// uses template data, rendered with tc in every language (with the footer when it has no
// help number), must stay within the SMS budget. `flows check` measures the sample
// configuration; this measures the real one, at start-up.
func CheckConfigured(s *Set, tc TextConfig) []Problem {
	cat, sf := s.Catalog, s.Def.Safety
	var out []Problem
	for _, lang := range cat.Langs() {
		data, err := cat.TextData(lang, tc)
		if err != nil {
			out = append(out, Problem{File: s.localeFile(lang), Msg: err.Error()})
			continue
		}
		for _, id := range cat.all {
			if !cat.templated[id] || !cat.own[lang][id] || strings.HasPrefix(id, WebPrefix) || strings.HasPrefix(id, PartPrefix) {
				continue
			}
			text, _ := cat.Render(lang, id, data)
			if !HasHelpNumber(text, sf.HelpNumbers) {
				footer, _ := cat.Text(lang, sf.Footer)
				text += FooterSeparator + footer
			}
			budget := sf.Budget(lang)
			if info := gsm7.Analyze(text); info.Segments > budget.MaxSegments || info.Encoding != gsm7.GSM7 && !budget.UCS2 {
				file, line := cat.where(lang, id)
				out = append(out, Problem{File: path.Join(s.src.LocalesName, file), Line: line,
					Msg: fmt.Sprintf("message %s costs %d SMS segments (%s, %d characters) with this configuration; the budget is %d: shorten TRYGG_STAFFED_HOURS or TRYGG_HANDOFF_READERS", id, info.Segments, info.Encoding, info.Units, budget.MaxSegments)})
			}
		}
	}
	return out
}
