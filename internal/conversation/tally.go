package conversation

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vasteras/trygg/internal/store"
)

// stockholm is Västerås' time zone, for the days statistics are bucketed by.
var stockholm = mustLoadStockholm()

func mustLoadStockholm() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		// The binary embeds the time zone database (time/tzdata in cmd/trygg); without it
		// the days are UTC days, which is still a correct, if shifted, bucketing.
		return time.UTC
	}
	return loc
}

// Day returns the date of t in Europe/Stockholm, as statistics are bucketed.
func Day(t time.Time) string { return t.In(stockholm).Format(time.DateOnly) }

// Tally counts events in memory so a turn costs no extra store round trip; Flush moves the
// counts to the store's statistics.
type Tally struct {
	mu     sync.Mutex
	counts map[[2]string]int64 // (day, name) → n
}

// NewTally returns an empty tally.
func NewTally() *Tally { return &Tally{counts: map[[2]string]int64{}} }

// Add adds n to counter name on day.
func (t *Tally) Add(day, name string, n int64) {
	t.mu.Lock()
	t.counts[[2]string{day, name}] += n
	t.mu.Unlock()
}

// Flush writes the counts to stats and forgets them. Counts that fail to write are kept
// for the next flush.
func (t *Tally) Flush(ctx context.Context, stats store.Stats) error {
	t.mu.Lock()
	counts := t.counts
	t.counts = map[[2]string]int64{}
	t.mu.Unlock()
	var firstErr error
	for k, n := range counts {
		if err := stats.Count(ctx, k[0], k[1], n); err != nil {
			t.Add(k[0], k[1], n)
			if firstErr == nil {
				firstErr = fmt.Errorf("flush statistics: %w", err)
			}
		}
	}
	return firstErr
}

// FlushEvery flushes the tally to stats every interval until ctx ends, then once more.
func (t *Tally) FlushEvery(ctx context.Context, stats store.Stats, interval time.Duration, onErr func(error)) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
			if err := t.Flush(final, stats); err != nil && onErr != nil {
				onErr(err)
			}
			cancel()
			return
		case <-tick.C:
			if err := t.Flush(ctx, stats); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}
