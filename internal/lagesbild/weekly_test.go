package lagesbild

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/store"
)

func stockholm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// poster counts the posts of a fake staff channel; the first fail posts fail.
type poster struct {
	mu     sync.Mutex
	fail   int
	calls  int
	posted []string
}

func (p *poster) post(_ context.Context, week string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.fail > 0 {
		p.fail--
		return errors.New("slack: not_in_channel")
	}
	p.posted = append(p.posted, week)
	return nil
}

func (p *poster) Posted() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.posted...)
}

func newWeekly(t *testing.T, g Guard, p *poster, owner string) *Weekly {
	t.Helper()
	w, err := NewWeekly(WeeklyConfig{Guard: g, Post: p.post, Location: stockholm(t), Owner: owner})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWeeklyNextIsMondayEightLocalAcrossSummerTime(t *testing.T) {
	loc := stockholm(t)
	w := newWeekly(t, store.NewMemory(nil), &poster{}, "a")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct{ now, next, utc string }{
		// Summer time starts Sunday 29 March 2026: Monday 08:00 CEST is 06:00 UTC.
		{"2026-03-28 12:00", "2026-03-30 08:00", "2026-03-30T06:00:00Z"},
		{"2026-03-23 09:00", "2026-03-30 08:00", "2026-03-30T06:00:00Z"},
		// It ends Sunday 25 October 2026: Monday 08:00 CET is 07:00 UTC.
		{"2026-10-19 08:59", "2026-10-26 08:00", "2026-10-26T07:00:00Z"},
		{"2026-10-25 02:30", "2026-10-26 08:00", "2026-10-26T07:00:00Z"},
		// In the posting hour: every 5 minutes, then next Monday.
		{"2026-11-30 07:59", "2026-11-30 08:00", "2026-11-30T07:00:00Z"},
		{"2026-11-30 08:00", "2026-11-30 08:05", "2026-11-30T07:05:00Z"},
		{"2026-11-30 08:07", "2026-11-30 08:10", "2026-11-30T07:10:00Z"},
		{"2026-11-30 08:55", "2026-12-07 08:00", "2026-12-07T07:00:00Z"},
		{"2026-11-30 10:00", "2026-12-07 08:00", "2026-12-07T07:00:00Z"},
		{"2026-12-06 23:59", "2026-12-07 08:00", "2026-12-07T07:00:00Z"},
	} {
		got := w.Next(at(tc.now))
		if got.In(loc).Format("2006-01-02 15:04") != tc.next || got.UTC().Format(time.RFC3339) != tc.utc {
			t.Errorf("Next(%s) = %s (%s), want %s (%s)", tc.now, got.In(loc).Format("2006-01-02 15:04"), got.UTC().Format(time.RFC3339), tc.next, tc.utc)
		}
	}
	for _, tc := range []struct {
		now, week string
		ok        bool
	}{
		{"2026-11-30 08:00", "2026-W48", true},
		{"2026-11-30 08:59", "2026-W48", true},
		{"2026-11-30 09:00", "", false},
		{"2026-11-30 07:59", "", false},
		{"2026-12-01 08:30", "", false},
		{"2027-01-04 08:00", "2026-W53", true},
		{"2026-03-30 08:00", "2026-W13", true},
		{"2026-10-26 08:00", "2026-W43", true},
	} {
		week, _, ok := w.Window(at(tc.now))
		if week != tc.week || ok != tc.ok {
			t.Errorf("Window(%s) = %q %v, want %q %v", tc.now, week, ok, tc.week, tc.ok)
		}
	}
}

// TestWeeklyPostsOnceAcrossReplicas drives the protocol tick by tick: two replicas on one
// store, a failing post, a replica that died holding the guard, and a restart.
func TestWeeklyPostsOnceAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	loc := stockholm(t)
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, loc)
	at := func(min int) time.Time { return monday.Add(time.Duration(min) * time.Minute) }
	tick := func(t *testing.T, w *Weekly, now time.Time, want Outcome) {
		t.Helper()
		got, err := w.Tick(ctx, now)
		if got != want {
			t.Errorf("%s at %s: %s (%v), want %s", w.cfg.Owner, now.Format("15:04"), got, err, want)
		}
	}

	t.Run("two replicas, one post", func(t *testing.T) {
		mem := store.NewMemory(func() time.Time { return monday })
		p := &poster{}
		a, b := newWeekly(t, mem, p, "a"), newWeekly(t, mem, p, "b")
		tick(t, a, at(-1), Idle)
		tick(t, a, at(0), Posted)
		tick(t, b, at(0), Waiting)
		tick(t, b, at(5), AlreadyPosted)
		tick(t, a, at(5), AlreadyPosted)
		tick(t, b, at(60), Idle)
		if got := p.Posted(); len(got) != 1 || got[0] != "2026-W48" {
			t.Errorf("posted %v, want [2026-W48]", got)
		}
	})

	t.Run("a failed post is retried in the hour by whoever wakes", func(t *testing.T) {
		mem := store.NewMemory(func() time.Time { return monday })
		p := &poster{fail: 1}
		a, b := newWeekly(t, mem, p, "a"), newWeekly(t, mem, p, "b")
		tick(t, a, at(0), Failed)
		tick(t, b, at(0), Waiting)
		tick(t, b, at(5), Posted) // reads a's failure, takes attempt 1
		tick(t, a, at(5), Waiting)
		tick(t, a, at(10), AlreadyPosted)
		if p.calls != 2 || len(p.Posted()) != 1 {
			t.Errorf("%d calls, %d posts; want 2 calls, 1 post", p.calls, len(p.Posted()))
		}
	})

	t.Run("a replica that died holding the guard", func(t *testing.T) {
		mem := store.NewMemory(func() time.Time { return monday })
		// The dead replica took attempt 0 at 08:00 and never wrote a result.
		if _, _, err := mem.Remember(ctx, PostScope, "2026-W48", []byte("dead "+strconv.FormatInt(at(0).UnixNano(), 10)), GuardTTL); err != nil {
			t.Fatal(err)
		}
		p := &poster{}
		b := newWeekly(t, mem, p, "b")
		tick(t, b, at(2), Waiting) // it may still be posting
		tick(t, b, at(5), Posted)
		if len(p.Posted()) != 1 {
			t.Errorf("posted %v", p.Posted())
		}
	})

	t.Run("a restart after the post does not post again", func(t *testing.T) {
		mem := store.NewMemory(func() time.Time { return monday })
		p := &poster{}
		tick(t, newWeekly(t, mem, p, "a"), at(0), Posted)
		restarted := newWeekly(t, mem, p, "a2")
		tick(t, restarted, at(1), Waiting)
		tick(t, restarted, at(5), AlreadyPosted)
		tick(t, newWeekly(t, mem, p, "a3"), at(40), AlreadyPosted)
		if len(p.Posted()) != 1 {
			t.Errorf("posted %d times", len(p.Posted()))
		}
	})

	t.Run("every attempt fails: none after the hour", func(t *testing.T) {
		mem := store.NewMemory(func() time.Time { return monday })
		p := &poster{fail: 1000}
		a := newWeekly(t, mem, p, "a")
		for m := 0; m < 60; m += 5 {
			tick(t, a, at(m), Failed)
		}
		tick(t, a, at(60), Idle)
		if p.calls != 12 {
			t.Errorf("%d attempts in the hour, want 12", p.calls)
		}
	})

	t.Run("the store is down", func(t *testing.T) {
		p := &poster{}
		a := newWeekly(t, brokenGuard{}, p, "a")
		if out, err := a.Tick(ctx, at(0)); out != Waiting || err == nil {
			t.Errorf("Tick = %s, %v; want waiting and an error", out, err)
		}
		if p.calls != 0 {
			t.Error("posted without the guard")
		}
	})
}

type brokenGuard struct{}

func (brokenGuard) Remember(context.Context, string, string, []byte, time.Duration) ([]byte, bool, error) {
	return nil, false, errors.New("redis: connection refused")
}

func TestNewWeeklyChecksItsTimes(t *testing.T) {
	_, err := NewWeekly(WeeklyConfig{Guard: brokenGuard{}, Post: (&poster{}).post, Location: time.UTC, RetryEvery: time.Minute, PostTimeout: time.Minute})
	if err == nil {
		t.Error("a post timeout as long as the retry interval was accepted")
	}
	if _, err := NewWeekly(WeeklyConfig{Post: (&poster{}).post, Location: time.UTC}); err == nil {
		t.Error("no guard was accepted")
	}
}
