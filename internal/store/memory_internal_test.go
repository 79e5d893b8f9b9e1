package store

import (
	"fmt"
	"testing"
	"time"
)

// TestMemorySweep checks that expired records are freed even when nobody reads them again,
// so a long-running process does not grow without bound.
func TestMemorySweep(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	m := NewMemory(func() time.Time { return now })

	const short = 100
	for i := range short {
		scope := fmt.Sprintf("s%d", i)
		if _, err := m.Save(ctx, scope, Conversation{Data: []byte("x")}, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, _, err := m.Remember(ctx, scope, "id", []byte("x"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Hit(ctx, scope, "w", time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.size(); got != 3*short {
		t.Fatalf("size = %d, want %d", got, 3*short)
	}
	now = now.Add(2 * time.Minute)

	// Expired records stay until a sweep: the first write does not free them yet.
	if _, err := m.Hit(ctx, "", "global", time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := m.size(); got != 3*short+1 {
		t.Fatalf("size right after expiry = %d, want %d (no sweep yet)", got, 3*short+1)
	}
	for range sweepEvery {
		if _, err := m.Hit(ctx, "", "global", time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if got := m.size(); got != 1 {
		t.Fatalf("size after %d more writes = %d, want 1 (only the live window)", sweepEvery, got)
	}
	if len(m.remembered) != 0 || len(m.windows) != 1 {
		t.Fatalf("empty per-scope maps kept: %d remembered scopes, %d window scopes", len(m.remembered), len(m.windows))
	}
}

// TestMemoryLoadDropsExpired checks that reading an expired conversation frees it.
func TestMemoryLoadDropsExpired(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	m := NewMemory(func() time.Time { return now })
	if _, err := m.Save(ctx, "s", Conversation{Data: []byte("x")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Minute)
	c, err := m.Load(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 0 || c.Data != nil {
		t.Fatalf("Load at expiry = %+v, want nothing", c)
	}
	if got := m.size(); got != 0 {
		t.Fatalf("size after loading an expired conversation = %d, want 0", got)
	}
}
