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

// TestMemoryFloodBounded: one sender floods Memory with 600 messages in one window and
// 600 more over 20 windows (limit 30, Keep 31), each answered message's reply remembered
// as the SMS channel does. Memory holds at most the last 31 reservations and replies.
func TestMemoryFloodBounded(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	m := NewMemory(func() time.Time { return now })
	const limit, keep = 30, 31
	send := func(n int) {
		id := fmt.Sprintf("sms:SM%032x", n)
		r, err := m.Admit(ctx, "flooder", Admission{
			ID: id, Value: []byte("r"), TTL: 24 * time.Hour,
			Sender: Window{Name: "sender", TTL: 10 * time.Minute, Limit: limit},
			Global: Window{Name: "global", TTL: time.Minute, Limit: 1 << 40},
			Keep:   keep,
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Reserved {
			if _, _, err := m.Remember(ctx, "flooder", AnswerID(id), []byte("reply"), 24*time.Hour); err != nil {
				t.Fatal(err)
			}
		}
	}
	for n := range 600 {
		send(n)
	}
	for w := range 20 {
		now = now.Add(10*time.Minute + time.Second)
		for i := range 30 {
			send(1000 + 30*w + i)
		}
	}
	m.mu.Lock()
	got, ring := len(m.remembered["flooder"]), len(m.kept["flooder"].ids)
	m.mu.Unlock()
	if got > 2*keep || ring > keep {
		t.Errorf("after 1,200 messages: %d remembered values and %d kept ids, want at most %d and %d", got, ring, 2*keep, keep)
	}
}
