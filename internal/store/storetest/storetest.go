// Package storetest is the conformance suite every store.Store and store.Stats
// implementation must pass, so Memory and Redis behave the same for trygg's channels.
//
// Each subtest asks for a fresh store and uses scope and counter names made unique with a
// random nonce, so the suite can also run against a shared, real Redis.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/store"
)

// Clock moves the time a store under test sees: a fake clock for Memory, FastForward for
// miniredis. A store whose time cannot be moved (a real Redis) comes with a nil Clock, and
// the subtests that need time travel are skipped for it.
type Clock interface {
	// Advance moves the store's time forward by d.
	Advance(d time.Duration)
}

// nonce returns a random hex string, so names from different runs never meet.
func nonce(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("nonce: %v", err)
	}
	return hex.EncodeToString(b)
}

// fixture is one subtest's store, clock and naming.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	s     store.Store
	clock Clock
	nonce string
}

// scope returns a scope name unique to this run that still contains base unchanged.
func (f *fixture) scope(base string) string { return "st-" + f.nonce + "-" + base }

// needClock skips the subtest when the store's time cannot be moved.
func (f *fixture) needClock() {
	f.t.Helper()
	if f.clock == nil {
		f.t.Skip("store has no Clock: time travel not possible")
	}
}

func (f *fixture) load(scope string) store.Conversation {
	f.t.Helper()
	c, err := f.s.Load(f.ctx, scope)
	if err != nil {
		f.t.Fatalf("Load(%q): %v", scope, err)
	}
	return c
}

func (f *fixture) save(scope string, c store.Conversation, ttl time.Duration) int64 {
	f.t.Helper()
	v, err := f.s.Save(f.ctx, scope, c, ttl)
	if err != nil {
		f.t.Fatalf("Save(%q, version %d): %v", scope, c.Version, err)
	}
	return v
}

func (f *fixture) remember(scope, id string, value []byte, ttl time.Duration) ([]byte, bool) {
	f.t.Helper()
	prev, ok, err := f.s.Remember(f.ctx, scope, id, value, ttl)
	if err != nil {
		f.t.Fatalf("Remember(%q, %q): %v", scope, id, err)
	}
	return prev, ok
}

func (f *fixture) hit(scope, window string, ttl time.Duration) int64 {
	f.t.Helper()
	n, err := f.s.Hit(f.ctx, scope, window, ttl)
	if err != nil {
		f.t.Fatalf("Hit(%q, %q): %v", scope, window, err)
	}
	return n
}

func (f *fixture) erase(scope string) {
	f.t.Helper()
	if err := f.s.Erase(f.ctx, scope); err != nil {
		f.t.Fatalf("Erase(%q): %v", scope, err)
	}
}

// wantConv fails the test unless got holds data at version.
func (f *fixture) wantConv(got store.Conversation, data string, version int64) {
	f.t.Helper()
	if string(got.Data) != data || got.Version != version {
		f.t.Fatalf("conversation = (%q, version %d), want (%q, version %d)", got.Data, got.Version, data, version)
	}
}

// wantZero fails the test unless got is the zero Conversation of a scope without one.
func (f *fixture) wantZero(got store.Conversation) {
	f.t.Helper()
	if got.Data != nil || got.Version != 0 {
		f.t.Fatalf("conversation = (%q, version %d), want none (nil, version 0)", got.Data, got.Version)
	}
}

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// Run runs the conformance suite for store.Store. newStore must return a fresh store and,
// when the store's time can be moved, its Clock (nil skips the time-travel subtests). Run
// closes each store when its subtest ends.
func Run(t *testing.T, newStore func(t *testing.T) (store.Store, Clock)) {
	tests := []struct {
		name string
		run  func(f *fixture)
	}{
		{"LoadMissing", testLoadMissing},
		{"SaveThenLoad", testSaveThenLoad},
		{"StaleSaveConflicts", testStaleSave},
		{"SaveAfterConflict", testSaveAfterConflict},
		{"ConversationExpires", testConversationExpires},
		{"Erase", testErase},
		{"EraseUnknownScope", testEraseUnknown},
		{"Remember", testRemember},
		{"RememberExpires", testRememberExpires},
		{"Hit", testHit},
		{"HitWindowResets", testHitWindowResets},
		{"HitGlobalScope", testHitGlobal},
		{"NonPositiveTTLRejected", testBadTTL},
		{"ConcurrentSaves", testConcurrentSaves},
		{"BinaryData", testBinaryData},
		{"BuffersAreCopied", testBuffersCopied},
		{"OddScopes", testOddScopes},
		{"NamesDoNotCollide", testNoCollisions},
		{"Ping", testPing},
		{"AdmitEqualsSeparateCalls", testAdmit},
		{"AdmitGlobalLimit", testAdmitGlobalLimit},
		{"AdmitPastLimitNotKept", testAdmitPastLimit},
		{"AdmitKeepsTheLast", testAdmitKeep},
		{"SaveRemember", testSaveRemember},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := newStore(t)
			tt.run(newFixture(t, s, clock))
		})
	}
}

// newFixture returns the fixture of one subtest on s, and closes s when the subtest ends.
func newFixture(t *testing.T, s store.Store, clock Clock) *fixture {
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &fixture{t: t, ctx: t.Context(), s: s, clock: clock, nonce: nonce(t)}
}

func testLoadMissing(f *fixture) {
	f.wantZero(f.load(f.scope("missing")))
}

func testSaveThenLoad(f *fixture) {
	sc := f.scope("a")
	if v := f.save(sc, store.Conversation{Data: []byte("first")}, hour); v != 1 {
		f.t.Fatalf("first Save returned version %d, want 1", v)
	}
	f.wantConv(f.load(sc), "first", 1)
	if v := f.save(sc, store.Conversation{Data: []byte("second"), Version: 1}, hour); v != 2 {
		f.t.Fatalf("second Save returned version %d, want 2", v)
	}
	f.wantConv(f.load(sc), "second", 2)
}

func testStaleSave(f *fixture) {
	sc := f.scope("a")
	f.save(sc, store.Conversation{Data: []byte("one")}, hour)
	f.save(sc, store.Conversation{Data: []byte("two"), Version: 1}, hour)
	for _, version := range []int64{0, 1, 3, -1} {
		_, err := f.s.Save(f.ctx, sc, store.Conversation{Data: []byte("stale"), Version: version}, hour)
		if !errors.Is(err, store.ErrConflict) {
			f.t.Errorf("Save with version %d over version 2: err = %v, want ErrConflict", version, err)
		}
	}
	f.wantConv(f.load(sc), "two", 2)

	missing := f.scope("missing")
	if _, err := f.s.Save(f.ctx, missing, store.Conversation{Data: []byte("x"), Version: 1}, hour); !errors.Is(err, store.ErrConflict) {
		f.t.Errorf("Save with version 1 where nothing is stored: err = %v, want ErrConflict", err)
	}
	f.wantZero(f.load(missing))
}

func testSaveAfterConflict(f *fixture) {
	sc := f.scope("a")
	loaded := f.load(sc)
	// Another replica saves between this one's load and save.
	f.save(sc, store.Conversation{Data: []byte("theirs")}, hour)
	_, err := f.s.Save(f.ctx, sc, store.Conversation{Data: []byte("mine"), Version: loaded.Version}, hour)
	if !errors.Is(err, store.ErrConflict) {
		f.t.Fatalf("Save on stale state: err = %v, want ErrConflict", err)
	}
	fresh := f.load(sc)
	if v := f.save(sc, store.Conversation{Data: []byte("mine"), Version: fresh.Version}, hour); v != 2 {
		f.t.Fatalf("Save on fresh state returned version %d, want 2", v)
	}
	f.wantConv(f.load(sc), "mine", 2)
}

func testConversationExpires(f *fixture) {
	f.needClock()
	sc := f.scope("a")
	f.save(sc, store.Conversation{Data: []byte("x")}, 10*time.Minute)
	f.clock.Advance(9 * time.Minute)
	f.wantConv(f.load(sc), "x", 1)
	// A save keeps the conversation for a new ttl from now.
	f.save(sc, store.Conversation{Data: []byte("y"), Version: 1}, 10*time.Minute)
	f.clock.Advance(9 * time.Minute)
	f.wantConv(f.load(sc), "y", 2)
	f.clock.Advance(2 * time.Minute)
	// An expired conversation counts as version 0, also before anything reads it.
	if _, err := f.s.Save(f.ctx, sc, store.Conversation{Data: []byte("z"), Version: 2}, hour); !errors.Is(err, store.ErrConflict) {
		f.t.Fatalf("Save with version 2 over an expired conversation: err = %v, want ErrConflict", err)
	}
	f.wantZero(f.load(sc))
	if v := f.save(sc, store.Conversation{Data: []byte("z")}, hour); v != 1 {
		f.t.Fatalf("Save with version 0 over an expired conversation returned %d, want 1", v)
	}
}

func testErase(f *fixture) {
	gone, kept := f.scope("gone"), f.scope("kept")
	for _, sc := range []string{gone, kept} {
		f.save(sc, store.Conversation{Data: []byte("state")}, hour)
		f.remember(sc, "msg1", []byte("reply"), hour)
		f.hit(sc, "sms", hour)
	}
	globalBefore := f.hit("", "st-"+f.nonce, hour)

	f.erase(gone)

	f.wantZero(f.load(gone))
	if prev, ok := f.remember(gone, "msg1", []byte("new"), hour); ok {
		f.t.Errorf("after Erase, Remember found %q, want nothing", prev)
	}
	if n := f.hit(gone, "sms", hour); n != 1 {
		f.t.Errorf("after Erase, Hit = %d, want 1 (a new window)", n)
	}

	f.wantConv(f.load(kept), "state", 1)
	if prev, ok := f.remember(kept, "msg1", []byte("new"), hour); !ok || string(prev) != "reply" {
		f.t.Errorf("other scope's Remember = (%q, %v), want (\"reply\", true)", prev, ok)
	}
	if n := f.hit(kept, "sms", hour); n != 2 {
		f.t.Errorf("other scope's Hit = %d, want 2", n)
	}
	if n := f.hit("", "st-"+f.nonce, hour); n != globalBefore+1 {
		f.t.Errorf("global Hit = %d, want %d", n, globalBefore+1)
	}
}

func testEraseUnknown(f *fixture) {
	f.erase(f.scope("never-used"))
}

func testRemember(f *fixture) {
	sc := f.scope("a")
	if prev, ok := f.remember(sc, "SM1", []byte("first reply"), hour); ok || prev != nil {
		f.t.Fatalf("first Remember = (%q, %v), want (nil, false)", prev, ok)
	}
	if prev, ok := f.remember(sc, "SM1", []byte("second reply"), hour); !ok || string(prev) != "first reply" {
		f.t.Fatalf("second Remember = (%q, %v), want (\"first reply\", true)", prev, ok)
	}
	// The second call did not overwrite.
	if prev, ok := f.remember(sc, "SM1", []byte("third reply"), hour); !ok || string(prev) != "first reply" {
		f.t.Fatalf("third Remember = (%q, %v), want (\"first reply\", true)", prev, ok)
	}
	// Another id, or the same id in another scope, is separate.
	if prev, ok := f.remember(sc, "SM2", []byte("x"), hour); ok {
		f.t.Errorf("Remember of another id found %q", prev)
	}
	if prev, ok := f.remember(f.scope("b"), "SM1", []byte("x"), hour); ok {
		f.t.Errorf("Remember in another scope found %q", prev)
	}
}

func testRememberExpires(f *fixture) {
	f.needClock()
	sc := f.scope("a")
	f.remember(sc, "SM1", []byte("old"), 10*time.Minute)
	f.clock.Advance(9 * time.Minute)
	if prev, ok := f.remember(sc, "SM1", []byte("new"), 10*time.Minute); !ok || string(prev) != "old" {
		f.t.Fatalf("Remember before ttl = (%q, %v), want (\"old\", true)", prev, ok)
	}
	// The second call did not extend the ttl.
	f.clock.Advance(2 * time.Minute)
	if prev, ok := f.remember(sc, "SM1", []byte("new"), 10*time.Minute); ok {
		f.t.Fatalf("Remember after ttl found %q, want nothing", prev)
	}
	if prev, ok := f.remember(sc, "SM1", []byte("newer"), 10*time.Minute); !ok || string(prev) != "new" {
		f.t.Fatalf("Remember after re-storing = (%q, %v), want (\"new\", true)", prev, ok)
	}
}

func testHit(f *fixture) {
	sc := f.scope("a")
	for want := int64(1); want <= 5; want++ {
		if n := f.hit(sc, "sms", hour); n != want {
			f.t.Fatalf("Hit #%d = %d", want, n)
		}
	}
	if n := f.hit(sc, "web", hour); n != 1 {
		f.t.Errorf("Hit of another window = %d, want 1", n)
	}
	if n := f.hit(f.scope("b"), "sms", hour); n != 1 {
		f.t.Errorf("Hit in another scope = %d, want 1", n)
	}
}

func testHitWindowResets(f *fixture) {
	f.needClock()
	sc := f.scope("a")
	f.hit(sc, "sms", time.Minute)
	f.clock.Advance(50 * time.Second)
	if n := f.hit(sc, "sms", time.Minute); n != 2 {
		f.t.Fatalf("Hit inside the window = %d, want 2", n)
	}
	// The window started with the first hit; later hits do not extend it.
	f.clock.Advance(20 * time.Second)
	if n := f.hit(sc, "sms", time.Minute); n != 1 {
		f.t.Fatalf("Hit after the window = %d, want 1", n)
	}
	if n := f.hit(sc, "sms", time.Minute); n != 2 {
		f.t.Fatalf("second Hit in the new window = %d, want 2", n)
	}
}

func testHitGlobal(f *fixture) {
	window := "st-" + f.nonce + "-global"
	for want := int64(1); want <= 3; want++ {
		if n := f.hit("", window, hour); n != want {
			f.t.Fatalf("global Hit #%d = %d", want, n)
		}
	}
	if n := f.hit(f.scope("a"), window, hour); n != 1 {
		f.t.Errorf("a resident's Hit of the global window's name = %d, want 1", n)
	}
}

func testBadTTL(f *fixture) {
	sc := f.scope("a")
	for _, ttl := range []time.Duration{0, -time.Second} {
		if _, err := f.s.Save(f.ctx, sc, store.Conversation{Data: []byte("x")}, ttl); err == nil {
			f.t.Errorf("Save with ttl %v: no error", ttl)
		}
		if _, _, err := f.s.Remember(f.ctx, sc, "id", []byte("x"), ttl); err == nil {
			f.t.Errorf("Remember with ttl %v: no error", ttl)
		}
		if _, err := f.s.Hit(f.ctx, sc, "w", ttl); err == nil {
			f.t.Errorf("Hit with ttl %v: no error", ttl)
		}
	}
	// Nothing was stored that would never expire.
	f.wantZero(f.load(sc))
	if prev, ok := f.remember(sc, "id", []byte("y"), hour); ok {
		f.t.Errorf("Remember found %q stored with a bad ttl", prev)
	}
	if n := f.hit(sc, "w", hour); n != 1 {
		f.t.Errorf("Hit = %d after hits with a bad ttl, want 1", n)
	}
}

// testConcurrentSaves runs two groups of goroutines, as two replicas would, that each add
// 100 to a counter kept in the conversation by load → increment → save, running the turn
// again on ErrConflict. No increment may be lost.
func testConcurrentSaves(f *fixture) {
	const (
		groups          = 2
		workersPerGroup = 4
		perWorker       = 25 // 100 per group
		maxAttempts     = 100000
	)
	sc := f.scope("counter")
	var wg sync.WaitGroup
	errs := make(chan error, groups*workersPerGroup)
	for range groups * workersPerGroup {
		wg.Go(func() {
			for range perWorker {
				if err := increment(f.ctx, f.s, sc, maxAttempts); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.t.Error(err)
	}
	const total = groups * workersPerGroup * perWorker
	f.wantConv(f.load(sc), strconv.Itoa(total), total)
}

// increment adds one to the decimal counter stored under scope, retrying on ErrConflict.
func increment(ctx context.Context, s store.Store, scope string, maxAttempts int) error {
	for range maxAttempts {
		c, err := s.Load(ctx, scope)
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		n := 0
		if c.Data != nil {
			if n, err = strconv.Atoi(string(c.Data)); err != nil {
				return fmt.Errorf("decode counter %q: %w", c.Data, err)
			}
		}
		c.Data = []byte(strconv.Itoa(n + 1))
		_, err = s.Save(ctx, scope, c, hour)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("save: %w", err)
		}
		return nil
	}
	return fmt.Errorf("increment: still conflicting after %d attempts", maxAttempts)
}

func testBinaryData(f *fixture) {
	data := []byte{0, 1, 0, 0xff, 0xfe, '\n', '\r', 0, 0x80, '{', '}', ':', 0}
	sc := f.scope("bin")
	f.save(sc, store.Conversation{Data: data}, hour)
	if got := f.load(sc); string(got.Data) != string(data) {
		f.t.Errorf("Load = %x, want %x", got.Data, data)
	}
	f.remember(sc, "bin\x00id", data, hour)
	if prev, ok := f.remember(sc, "bin\x00id", []byte("other"), hour); !ok || string(prev) != string(data) {
		f.t.Errorf("Remember = (%x, %v), want (%x, true)", prev, ok, data)
	}
	// An empty value is still a value.
	f.remember(sc, "empty", []byte{}, hour)
	if prev, ok := f.remember(sc, "empty", []byte("other"), hour); !ok || len(prev) != 0 {
		f.t.Errorf("Remember of an empty value = (%q, %v), want (\"\", true)", prev, ok)
	}
}

func testBuffersCopied(f *fixture) {
	sc := f.scope("a")
	buf := []byte("original")
	f.save(sc, store.Conversation{Data: buf}, hour)
	copy(buf, "CHANGED!")
	got := f.load(sc)
	f.wantConv(got, "original", 1)
	copy(got.Data, "CHANGED!")
	f.wantConv(f.load(sc), "original", 1)

	val := []byte("reply")
	f.remember(sc, "id", val, hour)
	copy(val, "XXXXX")
	prev, _ := f.remember(sc, "id", nil, hour)
	if string(prev) != "reply" {
		f.t.Fatalf("Remember = %q after the caller reused its buffer, want \"reply\"", prev)
	}
	copy(prev, "XXXXX")
	if prev, _ := f.remember(sc, "id", nil, hour); string(prev) != "reply" {
		f.t.Fatalf("Remember = %q after the caller changed the returned bytes, want \"reply\"", prev)
	}
}

func testOddScopes(f *fixture) {
	for _, base := range []string{"abc:{x}", "ö", "{", "}", "}{", "a b", "*", "a*", "[ab]", "?", "\\", "\x00", "😀", "Ärende–é"} {
		sc := f.scope(base)
		data := "data for " + base
		f.save(sc, store.Conversation{Data: []byte(data)}, hour)
		f.wantConv(f.load(sc), data, 1)
		f.remember(sc, base, []byte(data), hour)
		if prev, ok := f.remember(sc, base, nil, hour); !ok || string(prev) != data {
			f.t.Errorf("scope %q: Remember = (%q, %v), want (%q, true)", base, prev, ok, data)
		}
		if n := f.hit(sc, base, hour); n != 1 {
			f.t.Errorf("scope %q: Hit = %d, want 1", base, n)
		}
	}
	// Erasing a scope with glob characters erases only that scope.
	star, plain := f.scope("a*"), f.scope("ab")
	f.save(plain, store.Conversation{Data: []byte("keep")}, hour)
	f.erase(star)
	f.wantZero(f.load(star))
	f.wantConv(f.load(plain), "keep", 1)
	if prev, ok := f.remember(f.scope("*"), "*", nil, hour); !ok || string(prev) != "data for *" {
		f.t.Errorf("scope \"*\" lost its record when \"a*\" was erased: (%q, %v)", prev, ok)
	}
}

// testNoCollisions checks that scope, id and window names cannot run into each other
// however the implementation joins them into keys.
func testNoCollisions(f *fixture) {
	pairs := []struct{ scopeA, idA, scopeB, idB string }{
		{"a", "b:c", "a:b", "c"},
		{"a", "rem:c", "a:rem", "c"},
		{"a}", "b", "a", "}b"},
		{"a", "b\x00c", "a\x00b", "c"},
	}
	for _, p := range pairs {
		a, b := f.scope(p.scopeA), f.scope(p.scopeB)
		f.remember(a, p.idA, []byte("A"), hour)
		if prev, ok := f.remember(b, p.idB, []byte("B"), hour); ok {
			f.t.Errorf("Remember(%q, %q) found %q stored by Remember(%q, %q)", p.scopeB, p.idB, prev, p.scopeA, p.idA)
		}
		f.hit(a, p.idA, hour)
		if n := f.hit(b, p.idB, hour); n != 1 {
			f.t.Errorf("Hit(%q, %q) = %d, want 1: shares a window with Hit(%q, %q)", p.scopeB, p.idB, n, p.scopeA, p.idA)
		}
	}
	// A scope that is a prefix of another is erased alone.
	short, long := f.scope("p"), f.scope("p:q")
	for _, sc := range []string{short, long} {
		f.save(sc, store.Conversation{Data: []byte(sc)}, hour)
		f.remember(sc, "id", []byte(sc), hour)
	}
	f.erase(short)
	f.wantConv(f.load(long), long, 1)
	if prev, ok := f.remember(long, "id", nil, hour); !ok || string(prev) != long {
		f.t.Errorf("Erase(%q) touched %q's remembered value: (%q, %v)", short, long, prev, ok)
	}
}

func testPing(f *fixture) {
	if err := f.s.Ping(f.ctx); err != nil {
		f.t.Fatalf("Ping: %v", err)
	}
}

// RunStats runs the conformance suite for store.Stats. newStats must return a fresh
// store.Stats; counter names are unique per run and days lie far in the future, so a shared
// store works too.
func RunStats(t *testing.T, newStats func(t *testing.T) store.Stats) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Stats, name func(string) string, year int)
	}{
		{"CountsAddUp", testCountsAddUp},
		{"RangeIsInclusive", testCountsRange},
		{"EmptyRange", testCountsEmpty},
		{"MalformedDayRejected", testCountsMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := nonce(t)
			name := func(base string) string { return "st-" + n + ":" + base }
			// A year of its own, far from real data, for this run's days.
			year := 2100 + int(n[0]&0x7)*100 + int(n[1]&0x3f)
			tt.run(t, newStats(t), name, year)
		})
	}
}

// mine returns the counters of sums whose names this run made.
func mine(sums map[string]int64, name func(string) string, bases ...string) map[string]int64 {
	got := make(map[string]int64)
	for _, b := range bases {
		if n, ok := sums[name(b)]; ok {
			got[b] = n
		}
	}
	return got
}

func dayOf(year, month, d int) string {
	return time.Date(year, time.Month(month), d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

func count(t *testing.T, s store.Stats, day, name string, n int64) {
	t.Helper()
	if err := s.Count(t.Context(), day, name, n); err != nil {
		t.Fatalf("Count(%s, %s, %d): %v", day, name, n, err)
	}
}

func counts(t *testing.T, s store.Stats, from, to string) map[string]int64 {
	t.Helper()
	sums, err := s.Counts(t.Context(), from, to)
	if err != nil {
		t.Fatalf("Counts(%s, %s): %v", from, to, err)
	}
	if sums == nil {
		t.Fatalf("Counts(%s, %s) returned a nil map", from, to)
	}
	return sums
}

func wantCounts(t *testing.T, got, want map[string]int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("counts = %v, want %v", got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("counts = %v, want %v", got, want)
			return
		}
	}
}

func testCountsAddUp(t *testing.T, s store.Stats, name func(string) string, year int) {
	d1, d2 := dayOf(year, 3, 1), dayOf(year, 3, 2)
	count(t, s, d1, name("route:boj_youth"), 1)
	count(t, s, d1, name("route:boj_youth"), 2)
	count(t, s, d2, name("route:boj_youth"), 4)
	count(t, s, d2, name("lang:fi"), 1)
	count(t, s, d2, name("lang:sv"), 0)

	wantCounts(t, mine(counts(t, s, d1, d2), name, "route:boj_youth", "lang:fi", "lang:sv", "none"),
		map[string]int64{"route:boj_youth": 7, "lang:fi": 1, "lang:sv": 0})
	wantCounts(t, mine(counts(t, s, d1, d1), name, "route:boj_youth", "lang:fi"),
		map[string]int64{"route:boj_youth": 3})
}

func testCountsRange(t *testing.T, s store.Stats, name func(string) string, year int) {
	c := name("c")
	days := []string{
		dayOf(year, 1, 31), // 1: before
		dayOf(year, 2, 1),  // 10: first day of the range
		dayOf(year, 2, 15), // 100: inside
		dayOf(year, 2, 28), // 1000: last day of the range
		dayOf(year, 3, 1),  // 10000: after
		dayOf(year+1, 2, 15),
	}
	n := int64(1)
	for _, d := range days {
		count(t, s, d, c, n)
		n *= 10
	}
	tests := []struct {
		from, to string
		want     int64
	}{
		{days[1], days[3], 1110},
		{days[2], days[2], 100},
		{days[0], days[4], 11111},
		{dayOf(year, 1, 1), dayOf(year, 12, 31), 11111},
		{days[0], days[5], 111111},
		{days[4], days[4], 10000},
	}
	for _, tt := range tests {
		got := counts(t, s, tt.from, tt.to)
		if got[c] != tt.want {
			t.Errorf("Counts(%s, %s)[c] = %d, want %d", tt.from, tt.to, got[c], tt.want)
		}
	}
}

func testCountsEmpty(t *testing.T, s store.Stats, name func(string) string, year int) {
	count(t, s, dayOf(year, 6, 10), name("c"), 5)
	tests := []struct {
		from, to  string
		wantEmpty bool // true where no run of this suite ever counts
	}{
		{"1999-01-01", "1999-12-31", true},
		{dayOf(year, 6, 11), dayOf(year, 6, 30), false},
		// from after to is an empty range.
		{dayOf(year, 6, 30), dayOf(year, 6, 1), false},
	}
	for _, tt := range tests {
		got := counts(t, s, tt.from, tt.to)
		if tt.wantEmpty && len(got) != 0 {
			t.Errorf("Counts(%s, %s) = %v, want an empty map", tt.from, tt.to, got)
		}
		if _, ok := got[name("c")]; ok {
			t.Errorf("Counts(%s, %s) = %v, want no counter c", tt.from, tt.to, got)
		}
	}
}

func testCountsMalformed(t *testing.T, s store.Stats, name func(string) string, year int) {
	good := dayOf(year, 1, 1)
	for _, bad := range []string{"", "2026-1-05", "2026-02-30", "05/01/2026", "2026-01-01T00:00:00Z", "*", "2026-01-0?", "+026-01-01"} {
		if err := s.Count(t.Context(), bad, name("c"), 1); err == nil {
			t.Errorf("Count(day %q): no error", bad)
		}
		if _, err := s.Counts(t.Context(), bad, good); err == nil {
			t.Errorf("Counts(from %q): no error", bad)
		}
		if _, err := s.Counts(t.Context(), good, bad); err == nil {
			t.Errorf("Counts(to %q): no error", bad)
		}
	}
}
