package storetest

import (
	"bytes"
	"testing"

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
