package sms

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// flight is one delivery of a message being answered in this process. Deliveries of the
// same message that arrive meanwhile wait for its answer instead of running a second turn.
type flight struct {
	done chan struct{}
	// body is the answer, set before done is closed; nil if the answer failed.
	body []byte
	// waiters counts the deliveries waiting (for tests).
	waiters int
}

// flights are the messages being answered, by scope and MessageSid.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// join returns the flight of key and true when the caller is the first and must answer and
// then finish it, or the running flight and false when the caller must wait for it.
func (fs *flights) join(key string) (*flight, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f, ok := fs.m[key]; ok {
		f.waiters++
		return f, false
	}
	f := &flight{done: make(chan struct{})}
	fs.m[key] = f
	return f, true
}

// finish publishes the answer of the flight of key to its waiters and forgets it. Later
// deliveries find the answer in the store.
func (fs *flights) finish(key string, f *flight, body []byte) {
	fs.mu.Lock()
	delete(fs.m, key)
	f.body = body
	fs.mu.Unlock()
	close(f.done)
}

// waiting returns how many deliveries wait for the flight of key.
func (fs *flights) waiting(key string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f, ok := fs.m[key]; ok {
		return f.waiters
	}
	return 0
}

// guard runs f with a context that ends after d, and returns when d has passed even if f
// ignores its context (a store that hangs), or panics. With inline (the store honours its
// context) f runs on the caller's goroutine; otherwise on its own, so a hang cannot hold
// the answer.
func guard[T any](ctx context.Context, d time.Duration, inline bool, f func(context.Context) (T, error)) (v T, err error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if inline {
		// The store returns soon after ctx ends (store.ContextBound): no goroutine needed.
		defer func() {
			if p := recover(); p != nil {
				var zero T
				v, err = zero, fmt.Errorf("panicked: %T", p)
			}
		}()
		return f(ctx)
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("panicked: %T", p)}
			}
		}()
		v, err := f(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("store: %w", ctx.Err())
	}
}
