package metrics

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vasteras/trygg/internal/store"
)

// Store operations (StoreDuration, StoreErrors).
const (
	OpLoad     = "load"
	OpSave     = "save"
	OpErase    = "erase"
	OpRemember = "remember"
	OpHit      = "hit"
	OpPing     = "ping"
	OpCount    = "count"
	OpCounts   = "counts"
	OpPut      = "put"
	OpGet      = "get"
	OpDelete   = "delete"
	OpList     = "list"
	// OpCompareAndPut is one attempt of a store.Update; a lost comparison is no error.
	OpCompareAndPut = "compare_and_put"
	// OpAdmit and OpSaveRemember are the batched steps of a store that has them
	// (store.Admitter, store.ReplySaver); for one that has not, the single calls are timed.
	OpAdmit        = "admit"
	OpSaveRemember = "save_remember"
)

var storeOps = []string{OpLoad, OpSave, OpErase, OpRemember, OpHit, OpPing, OpCount, OpCounts, OpPut, OpGet, OpDelete, OpList, OpCompareAndPut, OpAdmit, OpSaveRemember}

// Classes of store errors (StoreErrors).
const (
	StoreErrTimeout     = "timeout"     // a deadline passed (the context's or the client's)
	StoreErrCanceled    = "canceled"    // the caller gave up
	StoreErrUnavailable = "unavailable" // no connection to the store
	StoreErrConflict    = "conflict"    // a Save lost to another writer (retried by the turn)
	StoreErrOther       = "other"
)

// InstrumentStore returns s with every call timed (StoreDuration) and every error counted
// by class (StoreErrors). The result delegates to s and implements store.Stats and
// store.Records exactly when s does. Unwrap on the result returns s.
func (m *Metrics) InstrumentStore(s store.Store) store.Store {
	base := &Instrumented{inner: s, m: m, ops: map[string]prometheus.Observer{}}
	for _, op := range storeOps {
		base.ops[op] = m.StoreDuration.WithLabelValues(op)
	}
	st, hasStats := s.(store.Stats)
	rec, hasRecords := s.(store.Records)
	is := &instrumentedStats{inner: st, i: base}
	ir := &instrumentedRecords{inner: rec, i: base}
	switch {
	case hasStats && hasRecords:
		return struct {
			*Instrumented
			*instrumentedStats
			*instrumentedRecords
		}{base, is, ir}
	case hasStats:
		return struct {
			*Instrumented
			*instrumentedStats
		}{base, is}
	case hasRecords:
		return struct {
			*Instrumented
			*instrumentedRecords
		}{base, ir}
	}
	return base
}

// Instrumented is a store.Store that times and counts the calls to the store it wraps.
type Instrumented struct {
	inner store.Store
	m     *Metrics
	ops   map[string]prometheus.Observer // by op, resolved once
}

// Unwrap returns the wrapped store.
func (i *Instrumented) Unwrap() store.Store { return i.inner }

// done records one call of op that started at start and ended with err.
func (i *Instrumented) done(op string, start time.Time, err error) {
	i.ops[op].Observe(time.Since(start).Seconds())
	if err != nil {
		i.m.StoreErrors.WithLabelValues(op, errorClass(err)).Inc()
	}
}

// errorClass sorts a store error into a fixed class; the error's text is never a label.
func errorClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, store.ErrConflict):
		return StoreErrConflict
	case errors.Is(err, context.DeadlineExceeded):
		return StoreErrTimeout
	case errors.Is(err, context.Canceled):
		return StoreErrCanceled
	case errors.As(err, &ne) && ne.Timeout():
		return StoreErrTimeout
	case errors.As(err, &ne):
		return StoreErrUnavailable
	}
	return StoreErrOther
}

// Load delegates to the wrapped store.
func (i *Instrumented) Load(ctx context.Context, scope string) (store.Conversation, error) {
	start := time.Now()
	c, err := i.inner.Load(ctx, scope)
	i.done(OpLoad, start, err)
	return c, err
}

// Save delegates to the wrapped store.
func (i *Instrumented) Save(ctx context.Context, scope string, c store.Conversation, ttl time.Duration) (int64, error) {
	start := time.Now()
	v, err := i.inner.Save(ctx, scope, c, ttl)
	i.done(OpSave, start, err)
	return v, err
}

// Erase delegates to the wrapped store.
func (i *Instrumented) Erase(ctx context.Context, scope string) error {
	start := time.Now()
	err := i.inner.Erase(ctx, scope)
	i.done(OpErase, start, err)
	return err
}

// Remember delegates to the wrapped store.
func (i *Instrumented) Remember(ctx context.Context, scope, id string, value []byte, ttl time.Duration) ([]byte, bool, error) {
	start := time.Now()
	prev, found, err := i.inner.Remember(ctx, scope, id, value, ttl)
	i.done(OpRemember, start, err)
	return prev, found, err
}

// Hit delegates to the wrapped store.
func (i *Instrumented) Hit(ctx context.Context, scope, window string, ttl time.Duration) (int64, error) {
	start := time.Now()
	n, err := i.inner.Hit(ctx, scope, window, ttl)
	i.done(OpHit, start, err)
	return n, err
}

// Admit delegates to the wrapped store's Admit, or runs the single calls (each timed) when
// it has none.
func (i *Instrumented) Admit(ctx context.Context, scope string, a store.Admission) (store.AdmitResult, error) {
	ad, ok := i.inner.(store.Admitter)
	if !ok {
		return store.AdmitEach(ctx, i, scope, a)
	}
	start := time.Now()
	r, err := ad.Admit(ctx, scope, a)
	i.done(OpAdmit, start, err)
	return r, err
}

// SaveRemember delegates to the wrapped store's SaveRemember, or runs Save and Remember
// (each timed) when it has none.
func (i *Instrumented) SaveRemember(ctx context.Context, scope string, c store.Conversation, ttl time.Duration, id string, value []byte, rememberTTL time.Duration) (int64, error) {
	rs, ok := i.inner.(store.ReplySaver)
	if !ok {
		return store.SaveRemember(ctx, i, scope, c, ttl, id, value, rememberTTL)
	}
	start := time.Now()
	v, err := rs.SaveRemember(ctx, scope, c, ttl, id, value, rememberTTL)
	i.done(OpSaveRemember, start, err)
	return v, err
}

// HonorsContext passes on the wrapped store's promise (store.ContextBound).
func (i *Instrumented) HonorsContext() bool { return store.HonorsContext(i.inner) }

// Ping delegates to the wrapped store.
func (i *Instrumented) Ping(ctx context.Context) error {
	start := time.Now()
	err := i.inner.Ping(ctx)
	i.done(OpPing, start, err)
	return err
}

// Close delegates to the wrapped store.
func (i *Instrumented) Close() error { return i.inner.Close() }

// instrumentedStats is the store.Stats part of an instrumented store.
type instrumentedStats struct {
	inner store.Stats
	i     *Instrumented
}

// Count delegates to the wrapped store.
func (s *instrumentedStats) Count(ctx context.Context, day, name string, n int64) error {
	start := time.Now()
	err := s.inner.Count(ctx, day, name, n)
	s.i.done(OpCount, start, err)
	return err
}

// Counts delegates to the wrapped store.
func (s *instrumentedStats) Counts(ctx context.Context, from, to string) (map[string]int64, error) {
	start := time.Now()
	c, err := s.inner.Counts(ctx, from, to)
	s.i.done(OpCounts, start, err)
	return c, err
}

// instrumentedRecords is the store.Records part of an instrumented store.
type instrumentedRecords struct {
	inner store.Records
	i     *Instrumented
}

// Put delegates to the wrapped store.
func (r *instrumentedRecords) Put(ctx context.Context, scope, key string, value []byte, ttl time.Duration) error {
	start := time.Now()
	err := r.inner.Put(ctx, scope, key, value, ttl)
	r.i.done(OpPut, start, err)
	return err
}

// Get delegates to the wrapped store.
func (r *instrumentedRecords) Get(ctx context.Context, scope, key string) ([]byte, bool, error) {
	start := time.Now()
	v, ok, err := r.inner.Get(ctx, scope, key)
	r.i.done(OpGet, start, err)
	return v, ok, err
}

// Delete delegates to the wrapped store.
func (r *instrumentedRecords) Delete(ctx context.Context, scope, key string) error {
	start := time.Now()
	err := r.inner.Delete(ctx, scope, key)
	r.i.done(OpDelete, start, err)
	return err
}

// List delegates to the wrapped store.
func (r *instrumentedRecords) List(ctx context.Context, scope string) (map[string][]byte, error) {
	start := time.Now()
	v, err := r.inner.List(ctx, scope)
	r.i.done(OpList, start, err)
	return v, err
}

// CompareAndPut delegates to the wrapped store.
func (r *instrumentedRecords) CompareAndPut(ctx context.Context, scope, key string, old, value []byte, ttl time.Duration) (bool, error) {
	start := time.Now()
	ok, err := r.inner.CompareAndPut(ctx, scope, key, old, value, ttl)
	r.i.done(OpCompareAndPut, start, err)
	return ok, err
}
