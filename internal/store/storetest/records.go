package storetest

import (
	"bytes"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/store"
)

// RecordStore is a Store that also keeps Records, as every trygg store does.
type RecordStore interface {
	store.Store
	store.Records
}

// RunRecords runs the conformance suite for store.Records: put, get, replace, delete, list,
// expiry, and erasure of the scope. newStore is as for Run.
func RunRecords(t *testing.T, newStore func(t *testing.T) (RecordStore, Clock)) {
	tests := []struct {
		name string
		run  func(f *fixture, r store.Records)
	}{
		{"PutGetReplaceDelete", testRecordsBasic},
		{"List", testRecordsList},
		{"EraseRemovesRecords", testRecordsErase},
		{"RecordsExpire", testRecordsExpire},
		{"NonPositiveTTLRejected", testRecordsBadTTL},
		{"CompareAndPut", testCompareAndPut},
		{"CompareAndPutExpired", testCompareAndPutExpired},
		{"Update", testUpdate},
		{"UpdateConcurrent", testUpdateConcurrent},
		{"UpdateGivesUp", testUpdateGivesUp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := newStore(t)
			tt.run(newFixture(t, s, clock), s)
		})
	}
}

func (f *fixture) get(r store.Records, scope, key string) ([]byte, bool) {
	f.t.Helper()
	v, ok, err := r.Get(f.ctx, scope, key)
	if err != nil {
		f.t.Fatalf("Get(%q, %q): %v", scope, key, err)
	}
	return v, ok
}

func (f *fixture) put(r store.Records, scope, key, value string) {
	f.t.Helper()
	if err := r.Put(f.ctx, scope, key, []byte(value), day); err != nil {
		f.t.Fatalf("Put(%q, %q): %v", scope, key, err)
	}
}

func testRecordsBasic(f *fixture, r store.Records) {
	sc := f.scope("rec")
	if v, ok := f.get(r, sc, "case"); ok || v != nil {
		f.t.Fatalf("Get of a missing record = %q, %v; want nil, false", v, ok)
	}
	f.put(r, sc, "case", "one\x00two")
	if v, ok := f.get(r, sc, "case"); !ok || !bytes.Equal(v, []byte("one\x00two")) {
		f.t.Fatalf("Get = %q, %v; want the value put", v, ok)
	}
	f.put(r, sc, "case", "three")
	if v, _ := f.get(r, sc, "case"); string(v) != "three" {
		f.t.Fatalf("Get after a second Put = %q, want three", v)
	}
	if v, ok := f.get(r, f.scope("other"), "case"); ok {
		f.t.Fatalf("another scope sees %q", v)
	}
	if err := r.Delete(f.ctx, sc, "case"); err != nil {
		f.t.Fatal(err)
	}
	if _, ok := f.get(r, sc, "case"); ok {
		f.t.Fatal("the record is still there after Delete")
	}
	if err := r.Delete(f.ctx, sc, "never-put"); err != nil {
		f.t.Fatalf("Delete of a missing record: %v", err)
	}
}

func testRecordsList(f *fixture, r store.Records) {
	sc := f.scope("list")
	if got, err := r.List(f.ctx, sc); err != nil || len(got) != 0 {
		f.t.Fatalf("List of an empty scope = %v, %v", got, err)
	}
	f.put(r, sc, "a", "1")
	f.put(r, sc, "b:c", "2")
	f.put(r, f.scope("list2"), "a", "other")
	got, err := r.List(f.ctx, sc)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(got) != 2 || string(got["a"]) != "1" || string(got["b:c"]) != "2" {
		f.t.Fatalf("List = %q, want a=1 and b:c=2", got)
	}
}

func testRecordsErase(f *fixture, r store.Records) {
	sc, other := f.scope("erase"), f.scope("keep")
	f.put(r, sc, "case", "x")
	f.put(r, other, "case", "y")
	if err := f.s.Erase(f.ctx, sc); err != nil {
		f.t.Fatal(err)
	}
	if _, ok := f.get(r, sc, "case"); ok {
		f.t.Fatal("Erase left a record of the scope")
	}
	if v, ok := f.get(r, other, "case"); !ok || string(v) != "y" {
		f.t.Fatal("Erase removed another scope's record")
	}
}

func testRecordsExpire(f *fixture, r store.Records) {
	f.needClock()
	sc := f.scope("exp")
	if err := r.Put(f.ctx, sc, "short", []byte("s"), hour); err != nil {
		f.t.Fatal(err)
	}
	f.put(r, sc, "long", "l") // a day
	f.clock.Advance(2 * hour)
	if _, ok := f.get(r, sc, "short"); ok {
		f.t.Fatal("a record outlived its ttl")
	}
	if _, ok := f.get(r, sc, "long"); !ok {
		f.t.Fatal("a record expired before its ttl")
	}
	if got, _ := r.List(f.ctx, sc); len(got) != 1 {
		f.t.Fatalf("List after expiry = %q, want only long", got)
	}
}

func testRecordsBadTTL(f *fixture, r store.Records) {
	if err := r.Put(f.ctx, f.scope("ttl"), "k", []byte("v"), 0); err == nil {
		f.t.Fatal("Put with ttl 0 succeeded: a record must expire")
	}
}

// cas calls CompareAndPut and fails the test on an error.
func (f *fixture) cas(r store.Records, scope, key string, old []byte, value string, ttl time.Duration) bool {
	f.t.Helper()
	ok, err := r.CompareAndPut(f.ctx, scope, key, old, []byte(value), ttl)
	if err != nil {
		f.t.Fatalf("CompareAndPut(%q, %q, old %q): %v", scope, key, old, err)
	}
	return ok
}

func testCompareAndPut(f *fixture, r store.Records) {
	sc := f.scope("cas")
	if f.cas(r, sc, "k", []byte("x"), "v", day) {
		f.t.Fatal("CompareAndPut expecting a value where there is none stored")
	}
	if _, ok := f.get(r, sc, "k"); ok {
		f.t.Fatal("a failed CompareAndPut stored a record")
	}
	if !f.cas(r, sc, "k", nil, "one", day) {
		f.t.Fatal("CompareAndPut expecting no record, where there is none, did not store")
	}
	if f.cas(r, sc, "k", nil, "two", day) {
		f.t.Fatal("CompareAndPut expecting no record stored over one")
	}
	if f.cas(r, sc, "k", []byte("on"), "two", day) || f.cas(r, sc, "k", []byte{}, "two", day) {
		f.t.Fatal("CompareAndPut with a wrong old value stored")
	}
	if v, _ := f.get(r, sc, "k"); string(v) != "one" {
		f.t.Fatalf("after failed CompareAndPuts Get = %q, want one", v)
	}
	if !f.cas(r, sc, "k", []byte("one"), "", day) {
		f.t.Fatal("CompareAndPut with the right old value did not store")
	}
	if v, ok := f.get(r, sc, "k"); !ok || len(v) != 0 {
		f.t.Fatalf("Get of an empty record = %q, %v; want empty, true", v, ok)
	}
	if f.cas(r, sc, "k", nil, "x", day) {
		f.t.Fatal("CompareAndPut expecting no record stored over an empty one")
	}
	if !f.cas(r, sc, "k", []byte{}, "a\x00b", day) {
		f.t.Fatal("CompareAndPut expecting the empty record did not store")
	}
	// Put and Delete see what CompareAndPut wrote, and CompareAndPut what they wrote.
	f.put(r, sc, "k", "put")
	if !f.cas(r, sc, "k", []byte("put"), "cas", day) {
		f.t.Fatal("CompareAndPut over a Put value did not store")
	}
	if err := r.Delete(f.ctx, sc, "k"); err != nil {
		f.t.Fatal(err)
	}
	if got, err := r.List(f.ctx, sc); err != nil || len(got) != 0 {
		f.t.Fatalf("List after Delete = %q, %v; want nothing", got, err)
	}
	if !f.cas(r, sc, "k", nil, "again", day) {
		f.t.Fatal("CompareAndPut expecting no record after Delete did not store")
	}
	f.put(r, sc, "other", "o")
	if got, err := r.List(f.ctx, sc); err != nil || len(got) != 2 || string(got["k"]) != "again" {
		f.t.Fatalf("List = %q, %v; want only k=again and other=o", got, err)
	}
	if _, err := r.CompareAndPut(f.ctx, sc, "k", nil, []byte("v"), 0); err == nil {
		f.t.Fatal("CompareAndPut with ttl 0 succeeded: a record must expire")
	}
	if err := f.s.Erase(f.ctx, sc); err != nil {
		f.t.Fatal(err)
	}
	if got, _ := r.List(f.ctx, sc); len(got) != 0 {
		f.t.Fatalf("List after Erase = %q", got)
	}
}

func testCompareAndPutExpired(f *fixture, r store.Records) {
	f.needClock()
	sc := f.scope("casexp")
	if !f.cas(r, sc, "k", nil, "short", hour) {
		f.t.Fatal("CompareAndPut did not store")
	}
	f.put(r, sc, "long", "l")
	f.clock.Advance(2 * hour)
	if _, ok := f.get(r, sc, "k"); ok {
		f.t.Fatal("a record stored by CompareAndPut outlived its ttl")
	}
	if f.cas(r, sc, "k", []byte("short"), "x", hour) {
		f.t.Fatal("CompareAndPut matched an expired record")
	}
	if !f.cas(r, sc, "k", nil, "new", hour) {
		f.t.Fatal("CompareAndPut expecting no record did not store over an expired one")
	}
	if got, _ := r.List(f.ctx, sc); len(got) != 2 || string(got["k"]) != "new" {
		f.t.Fatalf("List = %q, want k=new and long", got)
	}
}

func testUpdate(f *fixture, r store.Records) {
	sc := f.scope("upd")
	var seen []string
	add := func(s string) store.UpdateFunc {
		return func(old []byte, found bool) ([]byte, bool, error) {
			seen = append(seen, strconv.Quote(string(old))+strconv.FormatBool(found))
			return append(old, s...), true, nil
		}
	}
	for _, s := range []string{"a", "b"} {
		if err := store.Update(f.ctx, r, sc, "k", day, add(s)); err != nil {
			f.t.Fatalf("Update: %v", err)
		}
	}
	if v, _ := f.get(r, sc, "k"); string(v) != "ab" {
		f.t.Fatalf("after two Updates Get = %q, want ab", v)
	}
	if want := []string{`""false`, `"a"true`}; len(seen) != 2 || seen[0] != want[0] || seen[1] != want[1] {
		f.t.Fatalf("f saw %v, want %v", seen, want)
	}
	// f declining to write, or failing, leaves the record alone.
	if err := store.Update(f.ctx, r, sc, "k", day, func([]byte, bool) ([]byte, bool, error) {
		return []byte("no"), false, nil
	}); err != nil {
		f.t.Fatalf("Update that writes nothing: %v", err)
	}
	boom := errors.New("boom")
	if err := store.Update(f.ctx, r, sc, "k", day, func([]byte, bool) ([]byte, bool, error) {
		return []byte("no"), true, boom
	}); !errors.Is(err, boom) {
		f.t.Fatalf("Update with a failing f = %v, want its error", err)
	}
	if err := store.Update(f.ctx, r, sc, "none", day, func(_ []byte, found bool) ([]byte, bool, error) {
		return nil, found, nil
	}); err != nil {
		f.t.Fatalf("Update of a missing record that writes nothing: %v", err)
	}
	if got, _ := r.List(f.ctx, sc); len(got) != 1 || string(got["k"]) != "ab" {
		f.t.Fatalf("List = %q, want only k=ab", got)
	}
	// A record Update wrote expires like one Put wrote.
	if f.clock == nil {
		return
	}
	if err := store.Update(f.ctx, r, sc, "short", hour, add("s")); err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(2 * hour)
	if _, ok := f.get(r, sc, "short"); ok {
		f.t.Fatal("a record written by Update outlived its ttl")
	}
}

// testUpdateConcurrent has goroutines increment one counter record with Update at once;
// an Update that gives up (ErrConflict) is tried again. No increment may be lost.
func testUpdateConcurrent(f *fixture, r store.Records) {
	const workers, each = 8, 5
	sc := f.scope("updrace")
	incr := func(old []byte, found bool) ([]byte, bool, error) {
		n := 0
		if found {
			var err error
			if n, err = strconv.Atoi(string(old)); err != nil {
				return nil, false, err
			}
		}
		return []byte(strconv.Itoa(n + 1)), true, nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				var err error
				for range 100 {
					if err = store.Update(f.ctx, r, sc, "n", day, incr); !errors.Is(err, store.ErrConflict) {
						break
					}
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.t.Errorf("Update: %v", err)
	}
	if v, _ := f.get(r, sc, "n"); string(v) != strconv.Itoa(workers*each) {
		f.t.Fatalf("counter = %q after %d concurrent increments, want %d", v, workers*each, workers*each)
	}
}

// testUpdateGivesUp has another writer change the record between every read and write of
// an Update: it gives up after store.UpdateAttempts with ErrConflict.
func testUpdateGivesUp(f *fixture, r store.Records) {
	sc := f.scope("updlose")
	calls := 0
	err := store.Update(f.ctx, r, sc, "k", day, func(old []byte, found bool) ([]byte, bool, error) {
		calls++
		f.put(r, sc, "k", "other"+strconv.Itoa(calls))
		return []byte("mine"), true, nil
	})
	if !errors.Is(err, store.ErrConflict) {
		f.t.Fatalf("Update that always loses = %v, want ErrConflict", err)
	}
	if calls != store.UpdateAttempts {
		f.t.Fatalf("f called %d times, want %d", calls, store.UpdateAttempts)
	}
	if v, _ := f.get(r, sc, "k"); string(v) != "other"+strconv.Itoa(calls) {
		f.t.Fatalf("Get = %q, want the other writer's last value", v)
	}
}
