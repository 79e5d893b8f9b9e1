// Package lagesbild keeps the reports residents make of places that feel unsafe and makes
// the weekly lägesbild of them: by area, kind and time, for staff in Slack and as a CSV
// file for import into EMBRACE, the system in which Västerås registers such events (EST:
// Effektiv samordning för trygghet).
//
// A stored report is one event: the ISO week and day it came in, a known place and its area,
// the kind, the time of day, weekday or weekend, the language and the channel. It holds no
// text the resident wrote, no pseudonym and no link to the conversation.
package lagesbild

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
)

// DefaultRetention is how long reports are kept: two years.
const DefaultRetention = 2 * 365 * 24 * time.Hour

// Event is one report of a place that feels unsafe. Empty fields were skipped by the resident.
type Event struct {
	// Week is the ISO week the report came in: "2026-W48".
	Week string `json:"w"`
	// Date is the day the report came in, in Europe/Stockholm: "2026-11-28".
	Date string `json:"dt"`
	// Area is an area id from flows/places.yaml.
	Area string `json:"a,omitempty"`
	// Place is a place id from flows/places.yaml.
	Place string `json:"p,omitempty"`
	// Kind is "drugs", "vandalism", "harassment", "violence", "gathering", "dark" or "other".
	Kind string `json:"k,omitempty"`
	// Time is the time of day: "morning", "day", "evening" or "night".
	Time string `json:"t,omitempty"`
	// Days is "weekday" or "weekend".
	Days string `json:"d,omitempty"`
	// Lang is the language of the conversation: "sv", "en", "fi".
	Lang string `json:"l,omitempty"`
	// Channel is the channel the report came by: "sms", "web", "chat".
	Channel string `json:"c,omitempty"`
}

// Store keeps reports by week.
type Store interface {
	// Add stores a report, kept for the store's retention.
	Add(ctx context.Context, e Event) error
	// Week returns the reports of an ISO week ("2026-W48") in the order they came in.
	Week(ctx context.Context, week string) ([]Event, error)
}

// Memory is a Store in memory, for a single process. It is safe for concurrent use.
type Memory struct {
	mu        sync.Mutex
	weeks     map[string][]Event
	retention time.Duration
	now       func() time.Time
}

// NewMemory returns an empty Memory keeping reports for retention (0: DefaultRetention).
func NewMemory(retention time.Duration, now func() time.Time) *Memory {
	if retention <= 0 {
		retention = DefaultRetention
	}
	if now == nil {
		now = time.Now
	}
	return &Memory{weeks: map[string][]Event{}, retention: retention, now: now}
}

// Add stores a report and forgets weeks older than the retention.
func (m *Memory) Add(ctx context.Context, e Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("add report: %w", err)
	}
	if _, _, err := WeekBounds(e.Week); err != nil {
		return fmt.Errorf("add report: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.weeks[e.Week] = append(m.weeks[e.Week], e)
	cutoff := m.now().Add(-m.retention)
	for w := range m.weeks {
		if _, end, err := WeekBounds(w); err == nil && end.Before(cutoff) {
			delete(m.weeks, w)
		}
	}
	return nil
}

// Week returns the reports of week.
func (m *Memory) Week(ctx context.Context, week string) ([]Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	if _, _, err := WeekBounds(week); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Event(nil), m.weeks[week]...), nil
}

// DefaultClientCap is how many reports one client may add in a day: a resident who walks
// through the city and reports what they saw makes a few; more from one address (or one
// phone number) is someone trying to paint a hotspot.
const DefaultClientCap = 5

// Limiter is the part of the conversation store the Recorder needs to count reports
// against faking: store.Store has it.
type Limiter interface {
	// Remember stores value under (scope, id) unless something is stored there already;
	// true when something was.
	Remember(ctx context.Context, scope, id string, value []byte, ttl time.Duration) ([]byte, bool, error)
	// Hit counts one event in a window under scope and returns the count so far.
	Hit(ctx context.Context, scope, window string, ttl time.Duration) (int64, error)
}

// Results of a report, for Recorder.Counted.
const (
	Recorded  = "recorded"  // stored
	Duplicate = "duplicate" // the conversation reported the same place and kind today
	Capped    = "capped"    // the client reported more than its cap today
)

// Recorder stores the reports of conversations' EventUnsafePlace events. It is a
// conversation.Feature: it acts after each answered turn that was not degraded.
//
// So that the lägesbild cannot be faked cheaply, with a Limiter it stores at most one
// report per conversation, place and kind a day, and at most ClientCap reports a day from
// one client (the web chat's client address, or the SMS sender). What it keeps for this
// lives under the conversation's and the client's pseudonymous scopes (erased with the
// conversation), never in the report: a report still holds nothing that identifies the
// resident.
type Recorder struct {
	Store Store
	// Location is where dates and weeks are counted: Europe/Stockholm.
	Location *time.Location
	// Limiter counts reports per conversation and client; nil counts nothing and stores
	// every report.
	Limiter Limiter
	// ClientCap is how many reports a client may add in a day; 0 means DefaultClientCap.
	ClientCap int
	// Key keys the hash that names a report in the conversation's records, so the place a
	// resident reported is not readable there: pseudonym.Hasher.Key("lagesbild").
	Key []byte
	// Counted, when set, is told what became of each report (Recorded, Duplicate,
	// Capped), for metrics.
	Counted func(channel, result string)
}

// Limiter windows and ids.
const (
	capWindow  = "lagesbild:cap"
	seenPrefix = "lagesbild:seen:"
)

// Origin is where a turn's message came from, as the recorder sees it: pseudonyms only.
type Origin struct {
	// Channel is the channel the message came by: "sms", "web", "chat".
	Channel string
	// Scope is the conversation's pseudonym.
	Scope string
	// Client is the pseudonym of the client that sent the message; "" means Scope.
	Client string
}

// Name names the feature.
func (r Recorder) Name() string { return "lagesbild" }

// Before adds nothing to a turn.
func (r Recorder) Before(context.Context, conversation.Inbound, *bot.Message) error { return nil }

// After records the reports of a turn that was answered.
func (r Recorder) After(ctx context.Context, in conversation.Inbound, o conversation.Outcome) error {
	if o.Degraded || len(o.Events) == 0 {
		return nil
	}
	return r.Record(ctx, Origin{Channel: in.Channel, Scope: in.Scope, Client: in.Client}, in.At, o.Events)
}

// Record stores each finished report among events, unless the conversation made the same
// report today or its client is past the cap. Every report counts toward the client's cap,
// a duplicate too.
func (r Recorder) Record(ctx context.Context, from Origin, now time.Time, events []bot.Event) error {
	var errs []error
	local := now.In(r.loc())
	for _, ev := range events {
		if ev.Kind != bot.EventUnsafePlace || ev.Report == nil {
			continue
		}
		e := FromReport(*ev.Report, ev.Lang, from.Channel, local)
		result, err := r.admit(ctx, from, e, local)
		if err != nil {
			// A store that cannot count is no reason to lose a report.
			errs = append(errs, err)
		}
		if result == Recorded {
			if err := r.Store.Add(ctx, e); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if r.Counted != nil {
			r.Counted(from.Channel, result)
		}
	}
	return errors.Join(errs...)
}

// admit decides whether report e, which came in at local time t, is stored.
func (r Recorder) admit(ctx context.Context, from Origin, e Event, t time.Time) (string, error) {
	if r.Limiter == nil {
		return Recorded, nil
	}
	// Kept until the day is over (at least a minute), so the record is gone by the time
	// the same report counts again.
	y, m, d := t.Date()
	rest := time.Date(y, m, d+1, 0, 0, 0, 0, t.Location()).Sub(t)
	if rest < time.Minute {
		rest = time.Minute
	}
	// The client's count first: past the cap nothing more is written for the client that
	// day, so what the marks below take is bounded by the cap.
	if client := cmp.Or(from.Client, from.Scope); client != "" {
		n, err := r.Limiter.Hit(ctx, client, capWindow+":"+e.Date, rest)
		if err != nil {
			return Recorded, fmt.Errorf("lägesbild: count report: %w", err)
		}
		if n > int64(cmp.Or(r.ClientCap, DefaultClientCap)) {
			return Capped, nil
		}
	}
	if from.Scope != "" {
		mac := hmac.New(sha256.New, r.Key)
		mac.Write([]byte(e.Date + "\x00" + e.Area + "\x00" + e.Place + "\x00" + e.Kind))
		id := seenPrefix + hex.EncodeToString(mac.Sum(nil)[:12])
		_, seen, err := r.Limiter.Remember(ctx, from.Scope, id, []byte{1}, rest)
		if err != nil {
			return Recorded, fmt.Errorf("lägesbild: count report: %w", err)
		}
		if seen {
			return Duplicate, nil
		}
	}
	return Recorded, nil
}

func (r Recorder) loc() *time.Location {
	if r.Location == nil {
		return time.UTC
	}
	return r.Location
}

// FromReport makes the stored event of a finished report that came in at t.
func FromReport(rep bot.PlaceReport, lang, channel string, t time.Time) Event {
	return Event{
		Week:    Week(t),
		Date:    t.Format(time.DateOnly),
		Area:    rep.Area,
		Place:   rep.Place,
		Kind:    rep.Kind,
		Time:    rep.Time,
		Days:    rep.Days,
		Lang:    lang,
		Channel: channel,
	}
}

// Week returns the ISO week of t: "2026-W48".
func Week(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// WeekBounds returns the Monday 00:00 UTC that starts an ISO week and the Monday that
// starts the next, or an error naming the expected form.
func WeekBounds(week string) (time.Time, time.Time, error) {
	bad := fmt.Errorf("week %q: write it as YYYY-Www, e.g. 2026-W48", week)
	y, w, ok := strings.Cut(week, "-W")
	if !ok || len(y) != 4 || len(w) != 2 {
		return time.Time{}, time.Time{}, bad
	}
	year, err1 := strconv.Atoi(y)
	num, err2 := strconv.Atoi(w)
	if err1 != nil || err2 != nil || num < 1 || num > 53 {
		return time.Time{}, time.Time{}, bad
	}
	// 4 January is always in week 1.
	jan4 := time.Date(year, 1, 4, 0, 0, 0, 0, time.UTC)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(num-1)*7)
	if yy, ww := monday.ISOWeek(); yy != year || ww != num {
		return time.Time{}, time.Time{}, fmt.Errorf("week %q: %d has no week %d", week, year, num)
	}
	return monday, monday.AddDate(0, 0, 7), nil
}

// PrevWeek returns the ISO week before week.
func PrevWeek(week string) (string, error) {
	start, _, err := WeekBounds(week)
	if err != nil {
		return "", err
	}
	return Week(start.AddDate(0, 0, -7)), nil
}

// sortEvents orders events by date, then by every field, so output is stable.
func sortEvents(events []Event) {
	sort.SliceStable(events, func(i, j int) bool {
		a, b := events[i], events[j]
		for _, p := range [][2]string{{a.Date, b.Date}, {timeRank(a.Time), timeRank(b.Time)}, {a.Area, b.Area}, {a.Place, b.Place}, {a.Kind, b.Kind}, {a.Days, b.Days}, {a.Channel, b.Channel}, {a.Lang, b.Lang}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return false
	})
}

// Times are the time-of-day buckets in the order of a day.
var Times = []string{"morning", "day", "evening", "night"}

func timeRank(t string) string {
	for i, x := range Times {
		if x == t {
			return strconv.Itoa(i)
		}
	}
	return "9" + t
}
