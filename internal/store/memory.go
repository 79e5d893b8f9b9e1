package store

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"
)

// sweepEvery is how many writes Memory accepts between two sweeps of expired records.
// Expired records are invisible at once; the sweep only bounds the memory they hold.
const sweepEvery = 1024

// Memory is a Store and Stats held in the memory of one process. It is the default when no
// Redis is configured and the reference the conformance suite is written against. Memory is
// safe for concurrent use; its zero value is not usable, call NewMemory.
type Memory struct {
	now func() time.Time

	mu         sync.Mutex
	convs      map[string]memConv
	remembered map[string]map[string]memValue  // scope → id → value
	kept       map[string]*memRing             // scope → its last reserved ids (Admit with Keep)
	windows    map[string]map[string]memWindow // scope → window → counter
	records    map[string]map[string]memValue  // scope → key → value
	days       map[string]*memDay              // day → counters
	writes     int                             // writes since the last sweep
}

type memConv struct {
	data    []byte
	version int64
	expires time.Time
}

type memValue struct {
	value   []byte
	expires time.Time
}

// memRing is the ids a scope reserved last through Admit with Keep, oldest first once
// full: ids[next] is the one the next reservation replaces.
type memRing struct {
	ids  []string
	next int
}

type memWindow struct {
	count   int64
	expires time.Time
}

type memDay struct {
	counts  map[string]int64
	expires time.Time
}

// Compile-time checks that Memory keeps both contracts.
var (
	_ Store      = (*Memory)(nil)
	_ Stats      = (*Memory)(nil)
	_ Records    = (*Memory)(nil)
	_ Admitter   = (*Memory)(nil)
	_ ReplySaver = (*Memory)(nil)
)

// NewMemory returns an empty Memory that reads the time from now, so tests can move it;
// nil means time.Now.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{
		now:        now,
		convs:      make(map[string]memConv),
		remembered: make(map[string]map[string]memValue),
		kept:       make(map[string]*memRing),
		windows:    make(map[string]map[string]memWindow),
		records:    make(map[string]map[string]memValue),
		days:       make(map[string]*memDay),
	}
}

// expired reports whether a record that expires at exp is gone at now.
func expired(exp, now time.Time) bool { return !now.Before(exp) }

// clone copies b so neither the caller nor Memory can change the other's bytes.
// It never returns nil, so a stored empty value reads back as present.
func clone(b []byte) []byte { return append([]byte{}, b...) }

// checkTTL rejects a ttl that would store a record forever or not at all.
func checkTTL(op string, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("store: %s: ttl %v is not positive", op, ttl)
	}
	return nil
}

// Load returns the conversation of scope, or a zero Conversation when there is none or it
// has expired.
func (m *Memory) Load(ctx context.Context, scope string) (Conversation, error) {
	if err := ctx.Err(); err != nil {
		return Conversation{}, fmt.Errorf("store: load: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.convs[scope]
	if !ok {
		return Conversation{}, nil
	}
	if expired(c.expires, m.now()) {
		delete(m.convs, scope)
		return Conversation{}, nil
	}
	return Conversation{Data: clone(c.data), Version: c.version}, nil
}

// Save stores c.Data for scope if the stored version is still c.Version, where an expired
// conversation counts as version 0, and keeps it for ttl. It returns the new version or
// ErrConflict.
func (m *Memory) Save(ctx context.Context, scope string, c Conversation, ttl time.Duration) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("store: save: %w", err)
	}
	if err := checkTTL("save", ttl); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.save(scope, c, ttl, m.now())
}

// save is Save with m.mu held.
func (m *Memory) save(scope string, c Conversation, ttl time.Duration, now time.Time) (int64, error) {
	var current int64
	if old, ok := m.convs[scope]; ok && !expired(old.expires, now) {
		current = old.version
	}
	if current != c.Version {
		return 0, ErrConflict
	}
	m.convs[scope] = memConv{data: clone(c.Data), version: current + 1, expires: now.Add(ttl)}
	m.wrote(now)
	return current + 1, nil
}

// SaveRemember is Save and, when it succeeds, Remember, under one lock: both or neither.
func (m *Memory) SaveRemember(ctx context.Context, scope string, c Conversation, ttl time.Duration, id string, value []byte, rememberTTL time.Duration) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("store: save: %w", err)
	}
	if err := checkTTL("save", ttl); err != nil {
		return 0, err
	}
	if err := checkTTL("remember", rememberTTL); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	v, err := m.save(scope, c, ttl, now)
	if err != nil {
		return 0, err
	}
	m.remember(scope, id, value, rememberTTL, now)
	return v, nil
}

// Admit runs a under one lock: the id's reservation (unless the sender is past
// a.Sender.Limit+1), the sender's and the global count, and the conversation of a message
// within the limits. With a.Keep the scope keeps only its last a.Keep reservations.
func (m *Memory) Admit(ctx context.Context, scope string, a Admission) (AdmitResult, error) {
	if err := ctx.Err(); err != nil {
		return AdmitResult{}, fmt.Errorf("store: admit: %w", err)
	}
	for _, ttl := range []time.Duration{a.TTL, a.Sender.TTL, a.Global.TTL} {
		if err := checkTTL("admit", ttl); err != nil {
			return AdmitResult{}, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if old, ok := m.remembered[scope][a.ID]; ok && !expired(old.expires, now) {
		return AdmitResult{Duplicate: true, Prev: clone(old.value)}, nil
	}
	r := AdmitResult{Sender: m.hit(scope, a.Sender.Name, a.Sender.TTL, now)}
	if r.Sender <= a.Sender.Limit+1 {
		m.remember(scope, a.ID, a.Value, a.TTL, now)
		if a.Keep > 0 {
			m.keep(scope, a.ID, a.Keep)
		}
		r.Reserved = true
	}
	if r.Sender > a.Sender.Limit {
		return r, nil
	}
	if r.Global = m.hit("", a.Global.Name, a.Global.TTL, now); r.Global > a.Global.Limit {
		return r, nil
	}
	if c, ok := m.convs[scope]; ok && !expired(c.expires, now) {
		r.Conv = Conversation{Data: clone(c.data), Version: c.version}
	}
	r.Loaded = true
	return r, nil
}

// keep adds id to the scope's last reserved ids, at most n, and forgets the reservation
// and answer of the id it replaces. m.mu must be held.
func (m *Memory) keep(scope, id string, n int) {
	rg := m.kept[scope]
	if rg == nil {
		rg = &memRing{}
		m.kept[scope] = rg
	}
	if len(rg.ids) < n {
		rg.ids = append(rg.ids, id)
		return
	}
	rg.next %= len(rg.ids) // n may have shrunk; the ring keeps its size
	gone := rg.ids[rg.next]
	delete(m.remembered[scope], gone)
	delete(m.remembered[scope], AnswerID(gone))
	rg.ids[rg.next] = id
	rg.next++
}

// Erase deletes the conversation, remembered values and rate windows of scope.
func (m *Memory) Erase(ctx context.Context, scope string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: erase: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.convs, scope)
	delete(m.remembered, scope)
	delete(m.kept, scope)
	delete(m.windows, scope)
	delete(m.records, scope)
	return nil
}

// Put stores value under (scope, key) for ttl, replacing what was there.
func (m *Memory) Put(ctx context.Context, scope, key string, value []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: put: %w", err)
	}
	if err := checkTTL("put", ttl); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if m.records[scope] == nil {
		m.records[scope] = map[string]memValue{}
	}
	m.records[scope][key] = memValue{value: clone(value), expires: now.Add(ttl)}
	m.wrote(now)
	return nil
}

// Get returns the unexpired value under (scope, key).
func (m *Memory) Get(ctx context.Context, scope, key string) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("store: get: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.records[scope][key]
	if !ok || expired(v.expires, m.now()) {
		return nil, false, nil
	}
	return clone(v.value), true, nil
}

// Delete removes the value under (scope, key).
func (m *Memory) Delete(ctx context.Context, scope, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: delete: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.records[scope], key)
	return nil
}

// CompareAndPut stores value under (scope, key) for ttl if the unexpired record there is
// old (nil: none).
func (m *Memory) CompareAndPut(ctx context.Context, scope, key string, old, value []byte, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("store: compare and put: %w", err)
	}
	if err := checkTTL("compare and put", ttl); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	cur, ok := m.records[scope][key]
	ok = ok && !expired(cur.expires, now)
	if ok != (old != nil) || ok && !bytes.Equal(cur.value, old) {
		return false, nil
	}
	if m.records[scope] == nil {
		m.records[scope] = map[string]memValue{}
	}
	m.records[scope][key] = memValue{value: clone(value), expires: now.Add(ttl)}
	m.wrote(now)
	return true, nil
}

// List returns every unexpired value under scope.
func (m *Memory) List(ctx context.Context, scope string) (map[string][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: list: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	out := map[string][]byte{}
	for k, v := range m.records[scope] {
		if !expired(v.expires, now) {
			out[k] = clone(v.value)
		}
	}
	return out, nil
}

// Remember stores value under (scope, id) for ttl unless an unexpired value is there
// already; then it returns that value and true.
func (m *Memory) Remember(ctx context.Context, scope, id string, value []byte, ttl time.Duration) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("store: remember: %w", err)
	}
	if err := checkTTL("remember", ttl); err != nil {
		return nil, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	prev, found := m.remember(scope, id, value, ttl, m.now())
	return prev, found, nil
}

// remember is Remember with m.mu held.
func (m *Memory) remember(scope, id string, value []byte, ttl time.Duration, now time.Time) ([]byte, bool) {
	ids := m.remembered[scope]
	if ids == nil {
		ids = make(map[string]memValue)
		m.remembered[scope] = ids
	}
	if old, ok := ids[id]; ok && !expired(old.expires, now) {
		return clone(old.value), true
	}
	ids[id] = memValue{value: clone(value), expires: now.Add(ttl)}
	m.wrote(now)
	return nil, false
}

// Hit counts one event in the fixed window named window under scope and returns the count
// so far. The first hit opens the window for ttl; later hits do not extend it.
func (m *Memory) Hit(ctx context.Context, scope, window string, ttl time.Duration) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("store: hit: %w", err)
	}
	if err := checkTTL("hit", ttl); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hit(scope, window, ttl, m.now()), nil
}

// hit is Hit with m.mu held.
func (m *Memory) hit(scope, window string, ttl time.Duration, now time.Time) int64 {
	ws := m.windows[scope]
	if ws == nil {
		ws = make(map[string]memWindow)
		m.windows[scope] = ws
	}
	w, ok := ws[window]
	if !ok || expired(w.expires, now) {
		w = memWindow{expires: now.Add(ttl)}
	}
	w.count++
	ws[window] = w
	m.wrote(now)
	return w.count
}

// Count adds n to counter name on day, a date formatted "2006-01-02". A day's counters are
// kept StatsTTL after its last count.
func (m *Memory) Count(ctx context.Context, day, name string, n int64) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: count: %w", err)
	}
	if err := checkDay(day); err != nil {
		return fmt.Errorf("store: count: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	d := m.days[day]
	if d == nil || expired(d.expires, now) {
		d = &memDay{counts: make(map[string]int64)}
		m.days[day] = d
	}
	d.counts[name] += n
	d.expires = now.Add(StatsTTL)
	m.wrote(now)
	return nil
}

// Counts returns the sums of all counters over the days from..to, inclusive. A range
// without counters gives an empty map.
func (m *Memory) Counts(ctx context.Context, from, to string) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("store: counts: %w", err)
	}
	if err := checkDay(from); err != nil {
		return nil, fmt.Errorf("store: counts from: %w", err)
	}
	if err := checkDay(to); err != nil {
		return nil, fmt.Errorf("store: counts to: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	sums := make(map[string]int64)
	for day, d := range m.days {
		// Days are checked on the way in, so text order is date order.
		if day < from || day > to || expired(d.expires, now) {
			continue
		}
		for name, n := range d.counts {
			sums[name] += n
		}
	}
	return sums, nil
}

// checkDay reports whether day is a date in the form "2006-01-02". time.Parse insists on
// every digit of that layout, so checked days sort as text in date order.
func checkDay(day string) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return fmt.Errorf("day %q: %w", day, err)
	}
	return nil
}

// HonorsContext is true: Memory never blocks on anything but its own short lock.
func (m *Memory) HonorsContext() bool { return true }

// Ping reports that the store answers; Memory always does.
func (m *Memory) Ping(ctx context.Context) error { return nil }

// Close does nothing: Memory holds no connections. The data stays usable.
func (m *Memory) Close() error { return nil }

// wrote notes one write and sweeps expired records every sweepEvery writes.
// m.mu must be held.
func (m *Memory) wrote(now time.Time) {
	m.writes++
	if m.writes < sweepEvery {
		return
	}
	m.writes = 0
	m.sweep(now)
}

// sweep drops every record expired at now. m.mu must be held.
func (m *Memory) sweep(now time.Time) {
	for scope, c := range m.convs {
		if expired(c.expires, now) {
			delete(m.convs, scope)
		}
	}
	for scope, ids := range m.remembered {
		for id, v := range ids {
			if expired(v.expires, now) {
				delete(ids, id)
			}
		}
		if len(ids) == 0 {
			delete(m.remembered, scope)
		}
	}
	for scope := range m.kept {
		if m.remembered[scope] == nil {
			delete(m.kept, scope) // nothing left to forget
		}
	}
	for scope, ws := range m.windows {
		for name, w := range ws {
			if expired(w.expires, now) {
				delete(ws, name)
			}
		}
		if len(ws) == 0 {
			delete(m.windows, scope)
		}
	}
	for day, d := range m.days {
		if expired(d.expires, now) {
			delete(m.days, day)
		}
	}
	for scope, rs := range m.records {
		for k, v := range rs {
			if expired(v.expires, now) {
				delete(rs, k)
			}
		}
		if len(rs) == 0 {
			delete(m.records, scope)
		}
	}
}

// size returns how many records Memory holds, expired or not, for tests of the sweep.
func (m *Memory) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := len(m.convs) + len(m.days)
	for _, ids := range m.remembered {
		n += len(ids)
	}
	for _, ws := range m.windows {
		n += len(ws)
	}
	return n
}
