package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store"
)

// daysPerPipeline bounds how many days' hashes one pipeline of Counts reads.
const daysPerPipeline = 400

// Count adds n to counter name on day, a date formatted "2006-01-02", and keeps the day's
// counters for store.StatsTTL from now: HINCRBY and EXPIRE in one MULTI/EXEC round trip.
func (s *Store) Count(ctx context.Context, day, name string, n int64) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redis store: count: %w", err)
	}
	if _, err := parseDay(day); err != nil {
		return fmt.Errorf("redis store: count: %w", err)
	}
	key := statsKey(day)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, key, name, n)
		p.Expire(ctx, key, store.StatsTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis store: count: %w", err)
	}
	return nil
}

// Counts returns the sums of all counters over the days from..to, inclusive, reading the
// days' hashes in pipelines (one round trip per daysPerPipeline days, per Cluster node).
func (s *Store) Counts(ctx context.Context, from, to string) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("redis store: counts: %w", err)
	}
	first, err := parseDay(from)
	if err != nil {
		return nil, fmt.Errorf("redis store: counts from: %w", err)
	}
	last, err := parseDay(to)
	if err != nil {
		return nil, fmt.Errorf("redis store: counts to: %w", err)
	}
	sums := make(map[string]int64)
	for d := first; !d.After(last); {
		var cmds []*redis.MapStringStringCmd
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := 0; i < daysPerPipeline && !d.After(last); i++ {
				cmds = append(cmds, p.HGetAll(ctx, statsKey(d.Format(time.DateOnly))))
				d = d.AddDate(0, 0, 1)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("redis store: counts: %w", err)
		}
		for _, cmd := range cmds {
			for name, v := range cmd.Val() {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("redis store: counts: counter %q: %w", name, err)
				}
				sums[name] += n
			}
		}
	}
	return sums, nil
}

// parseDay reads a date in the form "2006-01-02"; time.Parse insists on every digit.
func parseDay(day string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return time.Time{}, fmt.Errorf("day %q: %w", day, err)
	}
	return t, nil
}
