package lagesbild

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/vasteras/trygg/internal/store"
)

// RecordsStore keeps reports in a store.Records, one scope per ISO week
// ("lagesbild:2026-W48"), so they live wherever trygg's store lives: in memory, or in Redis
// shared by every replica. Reports never share a scope with a resident, so nothing links a
// report to a conversation.
type RecordsStore struct {
	Records store.Records
	// Retention is how long a report is kept; 0 means DefaultRetention.
	Retention time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// scopePrefix names the weeks' scopes.
const scopePrefix = "lagesbild:"

// Add stores a report under its week, with a key that sorts in the order reports came in.
func (s RecordsStore) Add(ctx context.Context, e Event) error {
	if _, _, err := WeekBounds(e.Week); err != nil {
		return fmt.Errorf("add report: %w", err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("add report: %w", err)
	}
	var id [6]byte
	if _, err := rand.Read(id[:]); err != nil {
		return fmt.Errorf("add report: %w", err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	key := fmt.Sprintf("%020d-%s", now().UnixNano(), hex.EncodeToString(id[:]))
	ttl := s.Retention
	if ttl <= 0 {
		ttl = DefaultRetention
	}
	if err := s.Records.Put(ctx, scopePrefix+e.Week, key, b, ttl); err != nil {
		return fmt.Errorf("add report: %w", err)
	}
	return nil
}

// Week returns the reports of week in the order they came in.
func (s RecordsStore) Week(ctx context.Context, week string) ([]Event, error) {
	if _, _, err := WeekBounds(week); err != nil {
		return nil, err
	}
	all, err := s.Records.List(ctx, scopePrefix+week)
	if err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	events := make([]Event, 0, len(keys))
	for _, k := range keys {
		var e Event
		if err := json.Unmarshal(all[k], &e); err != nil {
			return nil, fmt.Errorf("read report %s: %w", k, err)
		}
		events = append(events, e)
	}
	return events, nil
}
