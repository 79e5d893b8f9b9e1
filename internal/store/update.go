package store

import (
	"context"
	"fmt"
	"time"
)

// UpdateAttempts is how often Update reads and tries to write a record before it gives up
// with ErrConflict.
const UpdateAttempts = 8

// UpdateFunc computes a record's new value from the one stored (found false: none). It
// returns the value to store and true, or false to leave the record as it is. It may be
// called more than once, each time with fresher data, so it must not act on the world: a
// caller keeps what the last call computed. An error stops Update and is returned as is.
type UpdateFunc func(old []byte, found bool) (value []byte, write bool, err error)

// Update changes the record under (scope, key) with f atomically: it reads the record,
// computes the new value, and stores it (kept for ttl) only if the record is still what f
// saw; otherwise it reads again and calls f again, UpdateAttempts times in all, then
// returns an error wrapping ErrConflict. No update made through Update is lost to another
// made at the same time, on any replica.
func Update(ctx context.Context, r Records, scope, key string, ttl time.Duration, f UpdateFunc) error {
	for range UpdateAttempts {
		old, found, err := r.Get(ctx, scope, key)
		if err != nil {
			return fmt.Errorf("store: update: %w", err)
		}
		if !found {
			old = nil
		} else if old == nil {
			old = []byte{}
		}
		value, write, err := f(old, found)
		if err != nil || !write {
			return err
		}
		if value == nil {
			value = []byte{}
		}
		ok, err := r.CompareAndPut(ctx, scope, key, old, value, ttl)
		if err != nil {
			return fmt.Errorf("store: update: %w", err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("store: update of %q: %d attempts lost to other writers: %w", key, UpdateAttempts, ErrConflict)
}
