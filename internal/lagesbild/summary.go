package lagesbild

import (
	"slices"
	"sort"
	"strconv"
)

// MinShown is the smallest count shown as a number for an area or a place: smaller counts
// are shown as "<3", since a small number in a small area can point to a person.
const MinShown = 3

// Count is the number of reports with one value (an area, a kind, a time of day).
type Count struct {
	// Key is the value: an area id, a kind, a time of day; "" for skipped.
	Key string
	// N is the number of reports this week, Prev the week before.
	N, Prev int
}

// Summary is the lägesbild of one week.
type Summary struct {
	Week, PrevWeek string
	// Total and PrevTotal count all reports of the week and the week before.
	Total, PrevTotal int
	// Areas, Kinds, Times and Days count reports by area, kind, time of day and
	// weekday/weekend, most first (Times in the order of a day). Areas under MinShown come
	// last in the order of their ids, so their order tells nothing of their counts.
	Areas, Kinds, Times, Days []Count
	// Channels counts reports by the channel they came by ("sms", "web", "chat"), most
	// first: web reports cost a click, SMS reports a phone number each, so staff weigh
	// them apart.
	Channels []Count
	// Burst is set when the week's web reports jumped (see FindBurst).
	Burst *Burst
	// Places are the busiest places, most first, at most TopPlaces of them; places under
	// MinShown are ordered (and so chosen) by id, like areas. Reports without a place are
	// not a place: they are not among them.
	Places []Count
}

// TopPlaces is how many of the busiest places a summary lists.
const TopPlaces = 5

// Summarize makes the lägesbild of a week from its reports and the reports of the week before.
func Summarize(week string, events, prev []Event) Summary {
	pw, _ := PrevWeek(week)
	s := Summary{Week: week, PrevWeek: pw, Total: len(events), PrevTotal: len(prev)}
	s.Areas = count(events, prev, MinShown, func(e Event) string { return e.Area })
	s.Kinds = count(events, prev, 0, func(e Event) string { return e.Kind })
	s.Channels = count(events, prev, 0, func(e Event) string { return e.Channel })
	s.Days = count(events, prev, 0, func(e Event) string { return e.Days })
	s.Places = count(events, prev, MinShown, func(e Event) string { return e.Place })
	s.Places = slices.DeleteFunc(s.Places, func(c Count) bool { return c.Key == "" })
	if len(s.Places) > TopPlaces {
		s.Places = s.Places[:TopPlaces]
	}
	times := count(events, prev, 0, func(e Event) string { return e.Time })
	sort.SliceStable(times, func(i, j int) bool { return timeRank(times[i].Key) < timeRank(times[j].Key) })
	s.Times = times
	return s
}

// count counts this week's reports by key, with last week's counts beside them. Reports
// with the key skipped count under "". Most first, then by key; counts under hide all
// count the same, so they are in the order of their keys.
func count(events, prev []Event, hide int, key func(Event) string) []Count {
	now, before := map[string]int{}, map[string]int{}
	for _, e := range events {
		now[key(e)]++
	}
	for _, e := range prev {
		before[key(e)]++
	}
	out := make([]Count, 0, len(now))
	for k, n := range now {
		out = append(out, Count{Key: k, N: n, Prev: before[k]})
	}
	rank := func(n int) int {
		if n < hide {
			return 0
		}
		return n
	}
	sort.Slice(out, func(i, j int) bool {
		if ri, rj := rank(out[i].N), rank(out[j].N); ri != rj {
			return ri > rj
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// Shown is how a count of an area or a place may be shown: the number, or "<3".
func Shown(n int) string {
	if n < MinShown {
		return "<" + strconv.Itoa(MinShown)
	}
	return strconv.Itoa(n)
}

// Change is how a count changed since the week before: "+2", "-1", "0"; "" when either
// week is under MinShown, since a change between small numbers reveals them.
func Change(c Count) string {
	if c.N < MinShown || c.Prev < MinShown {
		return ""
	}
	d := c.N - c.Prev
	if d > 0 {
		return "+" + strconv.Itoa(d)
	}
	return strconv.Itoa(d)
}

// Burst alert: a week's web reports above BurstFactor times the average of the BurstWeeks
// weeks before, and at least BurstMin of them, is a jump worth a line in the Monday post:
// a resident's report costs nothing on the web, so a faked hotspot shows there first.
const (
	BurstFactor = 3
	BurstWeeks  = 4
	BurstMin    = 10
)

// Burst is a jump in one channel's reports.
type Burst struct {
	// Channel is the channel whose reports jumped: "web".
	Channel string
	// N is the week's reports by the channel; Average the weekly average of the weeks before.
	N       int
	Average float64
}

// FindBurst looks for a jump of the web reports in week's events against earlier, the
// reports of the BurstWeeks weeks before it (earlier[0] the week just before). nil when
// there is none.
func FindBurst(events []Event, earlier [][]Event) *Burst {
	const channel = "web"
	n := countChannel(events, channel)
	total := 0
	for _, w := range earlier {
		total += countChannel(w, channel)
	}
	avg := 0.0
	if len(earlier) > 0 {
		avg = float64(total) / float64(len(earlier))
	}
	if n < BurstMin || float64(n) <= BurstFactor*avg {
		return nil
	}
	return &Burst{Channel: channel, N: n, Average: avg}
}

func countChannel(events []Event, channel string) int {
	n := 0
	for _, e := range events {
		if e.Channel == channel {
			n++
		}
	}
	return n
}
