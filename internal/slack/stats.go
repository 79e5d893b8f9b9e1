package slack

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"
	"golang.org/x/text/unicode/norm"
)

// The counters /trygg statistik reads. The conversation counters are the ones
// internal/conversation writes for each turn; the SMS counters are written by the SMS
// channel, and shown as "–" while there are none.
const (
	counterConversations = "conversations"
	counterMessages      = "messages"
	counterDanger        = "danger"
	counterUnsafePlace   = "unsafe_place"
	counterErase         = "erase"
	counterHandoff       = "handoff_requested"
	counterNotUnderstood = "not_understood"
	counterOtherLanguage = "other_language"
	counterTurnFailed    = "turn_failed"
	routePrefix          = "route:"
	langPrefix           = "lang:"

	// CounterSMSSegments counts the SMS segments trygg sent.
	CounterSMSSegments = "sms_segments"
	// CounterSMSFailed and CounterSMSUndelivered count messages Twilio reported as not
	// delivered (status callbacks "failed" and "undelivered").
	CounterSMSFailed      = "sms_status:failed"
	CounterSMSUndelivered = "sms_status:undelivered"
)

// knownRoutes are the routes shown, in this order, even when none happened.
var knownRoutes = []string{"boj_youth", "boj_adult", "boj", "police", "police_tips", "grannsamverkan", "volunteers", "bris", "kvinnofridslinjen", "compensation"}

// period is the stretch of days statistik sums.
type period struct {
	id   string // text id of its name
	days int
}

// parsePeriod reads idag, vecka or månad (English and unaccented forms too); "" is a week.
func parsePeriod(s string) (period, bool) {
	switch norm.NFC.String(strings.ToLower(strings.TrimSpace(s))) {
	case "idag", "i dag", "dag", "today", "day":
		return period{"staff_period_today", 1}, true
	case "", "vecka", "veckan", "week", "7":
		return period{"staff_period_week", 7}, true
	case "månad", "manad", "månaden", "month", "30":
		return period{"staff_period_month", 30}, true
	}
	return period{}, false
}

// stats answers /trygg statistik [idag|vecka|månad] [--visa].
func (b *Bot) stats(ctx context.Context, args string) *message {
	t := b.text
	public := false
	var words []string
	for _, w := range strings.Fields(args) {
		if f, ok := cutFlag(w); ok && (f == "visa" || f == "public" || f == "show") {
			public = true
			continue
		}
		words = append(words, w)
	}
	p, ok := parsePeriod(strings.Join(words, " "))
	if !ok {
		return notice(t.get("staff_stats_bad_period", map[string]any{"Period": b.echo(strings.Join(words, " "), maxWordLen)}))
	}
	if b.cfg.Stats == nil {
		return notice(t.get("staff_stats_none", nil))
	}
	now := b.cfg.Now().In(b.loc)
	to := now.Format(time.DateOnly)
	from := now.AddDate(0, 0, -(p.days - 1)).Format(time.DateOnly)
	counts, err := b.cfg.Stats.Counts(ctx, from, to)
	if err != nil {
		b.log.Warn("slack: statistics could not be read", "error", err.Error())
		return notice(t.get("staff_stats_unavailable", nil))
	}
	m := b.statsMessage(t.get(p.id, nil), from, to, counts)
	m.public = public
	return m
}

// statsMessage renders the counters of from..to for staff.
func (b *Bot) statsMessage(periodName, from, to string, counts map[string]int64) *message {
	t := b.text
	title := t.get("staff_stats_title", map[string]any{"Period": periodName})
	rangeText := t.get("staff_stats_range", map[string]any{"From": from, "To": to})
	if from == to {
		rangeText = t.get("staff_stats_range_day", map[string]any{"Day": from})
	}
	field := func(label string, n int64) string { return "*" + label + "*\n" + number(n) }
	// absentField shows "–" for a counter nobody writes yet (SMS without Twilio).
	absentField := func(label string, names ...string) string {
		var n int64
		found := false
		for _, name := range names {
			if v, ok := counts[name]; ok {
				n, found = n+v, true
			}
		}
		if !found {
			return "*" + label + "*\n–"
		}
		return field(label, n)
	}

	routes := []string{field(t.get("staff_stats_danger", nil), counts[counterDanger])}
	shown := map[string]bool{}
	for _, r := range knownRoutes {
		routes = append(routes, field(t.routeName(r), counts[routePrefix+r]))
		shown[r] = true
	}
	var extra []string // routes a newer flow file added
	for name := range counts {
		if r, ok := strings.CutPrefix(name, routePrefix); ok && !shown[r] {
			extra = append(extra, r)
		}
	}
	sort.Strings(extra)
	for _, r := range extra {
		routes = append(routes, field(escape(t.routeName(r)), counts[routePrefix+r]))
	}
	routes = append(routes,
		field(t.get("staff_stats_unsafe_place", nil), counts[counterUnsafePlace]),
		field(t.get("staff_stats_erase", nil), counts[counterErase]),
	)
	other := []string{
		field(t.get("staff_stats_handoff_requested", nil), counts[counterHandoff]),
		field(t.get("staff_stats_not_understood", nil), counts[counterNotUnderstood]),
		field(t.get("staff_stats_other_language", nil), counts[counterOtherLanguage]),
		field(t.get("staff_stats_turn_failed", nil), counts[counterTurnFailed]),
	}

	langs := b.cfg.Engine.Langs()
	var extraLangs []string // languages a newer locale file added
	for name := range counts {
		if l, ok := strings.CutPrefix(name, langPrefix); ok && !slices.Contains(langs, l) {
			extraLangs = append(extraLangs, l)
		}
	}
	sort.Strings(extraLangs)
	langs = append(slices.Clip(langs), extraLangs...)
	var langFields []string
	for _, l := range langs {
		langFields = append(langFields, field(escape(t.langName(l)), counts[langPrefix+l]))
	}

	sms := []string{
		absentField(t.get("staff_stats_sms_segments", nil), CounterSMSSegments),
		absentField(t.get("staff_stats_sms_failed", nil), CounterSMSFailed, CounterSMSUndelivered),
	}

	blocks := []slackapi.Block{
		header(title),
		contextBlock(rangeText),
		section(t.get("staff_stats_summary", map[string]any{
			"Conversations": t.count("staff_conversations", counts[counterConversations]),
			"Messages":      t.count("staff_messages", counts[counterMessages]),
		})),
	}
	blocks = append(blocks, fields(t.get("staff_stats_routes", nil), routes)...)
	blocks = append(blocks, fields(t.get("staff_stats_other", nil), other)...)
	blocks = append(blocks, fields(t.get("staff_stats_langs", nil), langFields)...)
	blocks = append(blocks, fields(t.get("staff_stats_sms", nil), sms)...)
	blocks = append(blocks, contextBlock(t.get("staff_stats_absent_note", nil)))
	return &message{text: title, blocks: blocks}
}
