// Package clock tells the time and waits for a time, so that code which acts at a time of
// day (the Monday lägesbild post) can be driven by a test without sleeping. Real is the
// machine's clock; Fake is a clock a test moves by hand.
package clock

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Clock tells the time and sleeps until a time.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// SleepUntil returns nil once t has come, or ctx's error when ctx ends first. It may
	// return early (the real clock does after maxSleep): callers look at Now again.
	SleepUntil(ctx context.Context, t time.Time) error
}

// maxSleep bounds one real sleep, so a wall clock that jumps (NTP, a suspended machine)
// is noticed within this time.
const maxSleep = 10 * time.Minute

// Real is the machine's clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// SleepUntil sleeps until t, or at most maxSleep, or until ctx ends.
func (Real) SleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(min(d, maxSleep))
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("sleep until %s: %w", t.Format(time.RFC3339), ctx.Err())
	}
}

// Fake is a clock that moves only when Set or Add moves it. Sleepers wake when the time
// reaches what they wait for. It is safe for concurrent use.
type Fake struct {
	mu       sync.Mutex
	now      time.Time
	sleepers []*sleeper
	changed  chan struct{} // closed and replaced whenever the sleepers change
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

// NewFake returns a Fake clock showing now.
func NewFake(now time.Time) *Fake {
	return &Fake{now: now, changed: make(chan struct{})}
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// SleepUntil waits until the fake time reaches t, or ctx ends.
func (f *Fake) SleepUntil(ctx context.Context, t time.Time) error {
	f.mu.Lock()
	if !f.now.Before(t) {
		f.mu.Unlock()
		return nil
	}
	s := &sleeper{until: t, wake: make(chan struct{})}
	f.sleepers = append(f.sleepers, s)
	f.notify()
	f.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		f.mu.Lock()
		f.remove(s)
		f.mu.Unlock()
		return fmt.Errorf("sleep until %s: %w", t.Format(time.RFC3339), ctx.Err())
	}
}

// Set moves the clock to t (never backwards) and wakes every sleeper whose time has come.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t.After(f.now) {
		f.now = t
	}
	kept := f.sleepers[:0]
	for _, s := range f.sleepers {
		if f.now.Before(s.until) {
			kept = append(kept, s)
		} else {
			close(s.wake)
		}
	}
	clear(f.sleepers[len(kept):])
	f.sleepers = kept
	f.notify()
}

// Add moves the clock on by d.
func (f *Fake) Add(d time.Duration) { f.Set(f.Now().Add(d)) }

// Sleepers returns the times the sleeping goroutines wait for, earliest first.
func (f *Fake) Sleepers() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]time.Time, len(f.sleepers))
	for i, s := range f.sleepers {
		out[i] = s.until
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

// WaitSleepers blocks until n goroutines sleep on the clock, or ctx ends. A test calls it
// after moving the clock, to know that the code it drives has done its work and waits again.
func (f *Fake) WaitSleepers(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		have, changed := len(f.sleepers), f.changed
		f.mu.Unlock()
		if have >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("%d of %d sleepers: %w", have, n, ctx.Err())
		}
	}
}

// notify wakes WaitSleepers; the caller holds f.mu.
func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// remove drops s from the sleepers; the caller holds f.mu.
func (f *Fake) remove(s *sleeper) {
	for i, x := range f.sleepers {
		if x == s {
			f.sleepers = append(f.sleepers[:i], f.sleepers[i+1:]...)
			f.notify()
			return
		}
	}
}
