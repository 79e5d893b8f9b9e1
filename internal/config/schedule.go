package config

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	// The zone database is embedded so that Europe/Stockholm loads in a minimal container
	// image that has no /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Zone is the time zone staffed hours and holidays are written in.
const Zone = "Europe/Stockholm"

// parseDay reads a day name, English or Swedish, already lower-cased.
func parseDay(s string) (time.Weekday, bool) {
	switch s {
	case "mon", "mån":
		return time.Monday, true
	case "tue", "tis":
		return time.Tuesday, true
	case "wed", "ons":
		return time.Wednesday, true
	case "thu", "tor":
		return time.Thursday, true
	case "fri", "fre":
		return time.Friday, true
	case "sat", "lör":
		return time.Saturday, true
	case "sun", "sön":
		return time.Sunday, true
	}
	return 0, false
}

// weekday returns the i-th day of the Swedish week, Monday first (i in 0..6).
func weekday(i int) time.Weekday { return time.Weekday((i + 1) % 7) }

// Schedule says when staff take handoffs: weekly opening hours in Europe/Stockholm wall-clock
// time, minus holidays that are closed all day. The zero Schedule is never open, which is
// what an unset TRYGG_STAFFED_HOURS means. A Schedule is immutable and safe for concurrent use.
type Schedule struct {
	loc      *time.Location
	rules    []rule
	holidays map[string]bool // keyed by "2006-01-02"
}

// rule is one "days from-to" clause. start and end are minutes after local midnight;
// end is exclusive and may be 24*60.
type rule struct {
	days       [7]bool // indexed by time.Weekday
	start, end int
}

// ParseSchedule parses weekly staffed hours: one or more rules separated by commas (or
// semicolons), each a day list followed by a time range, e.g.
//
//	mon-fri 09:00-16:00, sat 10:00-14:00
//	mån,ons 08:30-12:00
//
// Days are mon..sun or mån..sön (case does not matter); a range like fri-mon wraps over the
// weekend. Times are HH:MM on a 24-hour clock in Europe/Stockholm; the end must be after the
// start and is exclusive ("24:00" closes at midnight). An empty spec gives the zero Schedule.
// Every fault in spec is reported, joined.
func ParseSchedule(spec string) (Schedule, error) {
	if strings.TrimSpace(spec) == "" {
		return Schedule{}, nil
	}
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		return Schedule{}, fmt.Errorf("load time zone %s: %w", Zone, err)
	}

	tokens := strings.FieldsFunc(spec, func(r rune) bool {
		return r == ',' || r == ';' || unicode.IsSpace(r)
	})
	var (
		errs    []error
		rules   []rule
		days    [7]bool
		dayText []string // the day tokens of the rule being read, for messages
	)
	for _, tok := range tokens {
		if start, end, ok, err := parseTimeRange(tok); ok {
			switch {
			case err != nil:
				errs = append(errs, unjoin(err)...)
			case len(dayText) == 0:
				errs = append(errs, fmt.Errorf("%q has no days before it (e.g. mon-fri %s)", tok, tok))
			default:
				rules = append(rules, rule{days: days, start: start, end: end})
			}
			days, dayText = [7]bool{}, nil
			continue
		}
		if err := addDays(&days, tok); err != nil {
			errs = append(errs, err)
		}
		dayText = append(dayText, tok)
	}
	if len(dayText) > 0 {
		errs = append(errs, fmt.Errorf("%q has no time range after it (e.g. %s 09:00-16:00)",
			strings.Join(dayText, ","), strings.Join(dayText, ",")))
	}
	if err := errors.Join(errs...); err != nil {
		return Schedule{}, err
	}
	return Schedule{loc: loc, rules: rules}, nil
}

// unjoin returns the parts of a joined error, or err alone, so that a report lists every
// problem at one level.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// parseTimeRange parses "HH:MM-HH:MM". ok reports whether tok looks like a time range at
// all (it starts with a digit or contains a colon), so that a malformed range is reported
// as a bad time rather than as an unknown day.
func parseTimeRange(tok string) (start, end int, ok bool, err error) {
	if !strings.Contains(tok, ":") && (tok[0] < '0' || tok[0] > '9') {
		return 0, 0, false, nil
	}
	from, to, found := strings.Cut(tok, "-")
	if !found {
		return 0, 0, true, fmt.Errorf("%q is not a time range (e.g. 09:00-16:00)", tok)
	}
	start, errStart := parseClock(from, false)
	end, errEnd := parseClock(to, true)
	if err := errors.Join(errStart, errEnd); err != nil {
		return 0, 0, true, err
	}
	if end <= start {
		return 0, 0, true, fmt.Errorf("%q ends before it starts", tok)
	}
	return start, end, true, nil
}

// parseClock parses "HH:MM" (or "H:MM") into minutes after midnight. "24:00" is accepted
// only as an end time.
func parseClock(s string, isEnd bool) (int, error) {
	hh, mm, found := strings.Cut(s, ":")
	h, errH := strconv.Atoi(hh)
	m, errM := strconv.Atoi(mm)
	switch {
	case !found || errH != nil || errM != nil || !digits(hh, 1, 2) || !digits(mm, 2, 2):
		return 0, fmt.Errorf("%q is not a time (HH:MM)", s)
	case h == 24 && m == 0 && isEnd:
		return 24 * 60, nil
	case h < 0 || h > 23 || m < 0 || m > 59:
		return 0, fmt.Errorf("%q is not a time of day (00:00-23:59)", s)
	}
	return h*60 + m, nil
}

// digits reports whether s is between min and max ASCII digits long and nothing else.
func digits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// addDays marks the days named by tok, a single day ("mon") or a range ("mon-fri").
func addDays(days *[7]bool, tok string) error {
	lower := strings.ToLower(tok)
	from, to, isRange := strings.Cut(lower, "-")
	first, ok := parseDay(from)
	if !ok {
		return fmt.Errorf("%q is not a day (mon..sun or mån..sön)", tok)
	}
	if !isRange {
		days[first] = true
		return nil
	}
	last, ok := parseDay(to)
	if !ok {
		return fmt.Errorf("%q is not a day range (e.g. mon-fri)", tok)
	}
	for d := first; ; d = (d + 1) % 7 {
		days[d] = true
		if d == last {
			return nil
		}
	}
}

// ParseHolidays parses a comma-separated list of dates (YYYY-MM-DD) on which staff are away
// all day. Only the calendar date of each returned time is meaningful. Every fault is
// reported, joined.
func ParseHolidays(spec string) ([]time.Time, error) {
	var (
		dates []time.Time
		errs  []error
	)
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, item)
		if err != nil {
			errs = append(errs, fmt.Errorf("%q is not a date (YYYY-MM-DD)", item))
			continue
		}
		dates = append(dates, d)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return dates, nil
}

// WithHolidays returns a copy of s that is closed all day, Stockholm time, on the calendar
// dates of days (their clock time and location are ignored).
func (s Schedule) WithHolidays(days []time.Time) Schedule {
	if len(days) == 0 {
		return s
	}
	h := make(map[string]bool, len(s.holidays)+len(days))
	for k := range s.holidays {
		h[k] = true
	}
	for _, d := range days {
		h[d.Format(time.DateOnly)] = true
	}
	s.holidays = h
	return s
}

// Open reports whether staff are on duty at t: t falls, in Europe/Stockholm, inside one of
// the weekly rules and not on a holiday. The zero Schedule is never open.
func (s Schedule) Open(t time.Time) bool {
	if s.loc == nil || len(s.rules) == 0 {
		return false
	}
	local := t.In(s.loc)
	if s.holidays[local.Format(time.DateOnly)] {
		return false
	}
	minute := local.Hour()*60 + local.Minute()
	for _, r := range s.rules {
		if r.days[local.Weekday()] && r.start <= minute && minute < r.end {
			return true
		}
	}
	return false
}

// IsZero reports whether s has no staffed hours at all.
func (s Schedule) IsZero() bool { return len(s.rules) == 0 }

// String describes s for the start-up log, e.g.
// "mon-fri 09:00-16:00, sat 10:00-14:00 (Europe/Stockholm); closed 2025-12-24".
func (s Schedule) String() string {
	if len(s.rules) == 0 {
		return "never staffed"
	}
	parts := make([]string, 0, len(s.rules))
	for _, r := range s.rules {
		parts = append(parts, r.String())
	}
	out := strings.Join(parts, ", ") + " (" + Zone + ")"
	if len(s.holidays) > 0 {
		dates := make([]string, 0, len(s.holidays))
		for d := range s.holidays {
			dates = append(dates, d)
		}
		slices.Sort(dates)
		out += "; closed " + strings.Join(dates, ", ")
	}
	return out
}

// String prints r in the syntax ParseSchedule reads, days Monday first with runs folded
// into ranges.
func (r rule) String() string {
	var groups []string
	for i := 0; i < 7; {
		if !r.days[weekday(i)] {
			i++
			continue
		}
		j := i
		for j+1 < 7 && r.days[weekday(j+1)] {
			j++
		}
		g := shortDay(weekday(i))
		if j > i {
			g += "-" + shortDay(weekday(j))
		}
		groups = append(groups, g)
		i = j + 1
	}
	return fmt.Sprintf("%s %s-%s", strings.Join(groups, ","), clock(r.start), clock(r.end))
}

// shortDay is the English three-letter name of d, as ParseSchedule reads it.
func shortDay(d time.Weekday) string { return strings.ToLower(d.String()[:3]) }

// clock formats minutes after midnight as HH:MM.
func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// Opening is one weekly stretch of staffed hours: the days (indexed by time.Weekday) and the
// minutes after local midnight it starts and ends (end exclusive, at most 24*60).
type Opening struct {
	Days       [7]bool
	Start, End int
}

// Openings lists the weekly staffed hours, in the order written; none when never staffed.
// Holidays are not among them.
func (s Schedule) Openings() []Opening {
	out := make([]Opening, len(s.rules))
	for i, r := range s.rules {
		out[i] = Opening{Days: r.days, Start: r.start, End: r.end}
	}
	return out
}
