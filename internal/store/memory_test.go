package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/storetest"
)

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
}

// Now returns the clock's time.
func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) (store.Store, storetest.Clock) {
		clock := newFakeClock()
		return store.NewMemory(clock.Now), clock
	})
}

func TestMemoryConformanceWithoutClock(t *testing.T) {
	// As a real Redis would run it: the time-travel subtests skip, the rest pass on real time.
	storetest.Run(t, func(t *testing.T) (store.Store, storetest.Clock) {
		return store.NewMemory(nil), nil
	})
}

func TestMemoryStatsConformance(t *testing.T) {
	storetest.RunStats(t, func(t *testing.T) store.Stats {
		return store.NewMemory(newFakeClock().Now)
	})
}

func TestMemoryStatsExpire(t *testing.T) {
	ctx := t.Context()
	clock := newFakeClock()
	m := store.NewMemory(clock.Now)
	if err := m.Count(ctx, "2026-11-01", "lang:fi", 2); err != nil {
		t.Fatal(err)
	}
	clock.Advance(store.StatsTTL - time.Hour)
	// A later count keeps the day for StatsTTL from now.
	if err := m.Count(ctx, "2026-11-01", "lang:fi", 3); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	got, err := m.Counts(ctx, "2026-11-01", "2026-11-01")
	if err != nil {
		t.Fatal(err)
	}
	if got["lang:fi"] != 5 {
		t.Fatalf("before StatsTTL after the last count: lang:fi = %d, want 5", got["lang:fi"])
	}
	clock.Advance(store.StatsTTL)
	if got, err = m.Counts(ctx, "2026-11-01", "2026-11-01"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("after StatsTTL: counts = %v, want none", got)
	}
	// A count on an expired day starts from zero.
	if err := m.Count(ctx, "2026-11-01", "lang:fi", 1); err != nil {
		t.Fatal(err)
	}
	if got, err = m.Counts(ctx, "2026-11-01", "2026-11-01"); err != nil {
		t.Fatal(err)
	}
	if got["lang:fi"] != 1 {
		t.Fatalf("count after expiry: lang:fi = %d, want 1", got["lang:fi"])
	}
}

func TestMemoryCanceledContext(t *testing.T) {
	m := store.NewMemory(nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := []struct {
		name string
		call func() error
	}{
		{"Load", func() error { _, err := m.Load(ctx, "s"); return err }},
		{"Save", func() error { _, err := m.Save(ctx, "s", store.Conversation{}, time.Hour); return err }},
		{"Erase", func() error { return m.Erase(ctx, "s") }},
		{"Remember", func() error { _, _, err := m.Remember(ctx, "s", "id", nil, time.Hour); return err }},
		{"Hit", func() error { _, err := m.Hit(ctx, "s", "w", time.Hour); return err }},
		{"Count", func() error { return m.Count(ctx, "2026-11-01", "c", 1) }},
		{"Counts", func() error { _, err := m.Counts(ctx, "2026-11-01", "2026-11-01"); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want one wrapping context.Canceled", err)
			}
		})
	}
	// Nothing was written.
	if c, err := m.Load(t.Context(), "s"); err != nil || c.Version != 0 {
		t.Fatalf("Load after canceled calls = (%v, %v), want nothing stored", c, err)
	}
}

func TestMemoryRecordsConformance(t *testing.T) {
	storetest.RunRecords(t, func(t *testing.T) (storetest.RecordStore, storetest.Clock) {
		clock := newFakeClock()
		return store.NewMemory(clock.Now), clock
	})
}
