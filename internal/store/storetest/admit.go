package storetest

import (
	"fmt"
	"time"

	"github.com/vasteras/trygg/internal/store"
)

// admitBoth runs one admission with store.Admit on scope a and with the separate calls
// (store.AdmitEach) on scope b, each with its own global window, and fails unless they
// agree. It returns store.Admit's result.
func (f *fixture) admitBoth(a, b, id string, senderLimit, globalLimit int64) store.AdmitResult {
	f.t.Helper()
	adm := func(global string) store.Admission {
		return store.Admission{
			ID: id, Value: []byte("r-" + id), TTL: hour,
			Sender: store.Window{Name: "w-sender", TTL: hour, Limit: senderLimit},
			Global: store.Window{Name: global, TTL: hour, Limit: globalLimit},
		}
	}
	got, err := store.Admit(f.ctx, f.s, a, adm("w-global-a-"+f.nonce))
	if err != nil {
		f.t.Fatalf("Admit(%q, %q): %v", a, id, err)
	}
	want, err := store.AdmitEach(f.ctx, f.s, b, adm("w-global-b-"+f.nonce))
	if err != nil {
		f.t.Fatalf("AdmitEach(%q, %q): %v", b, id, err)
	}
	// The separate calls load nothing; Admit loads what Load would return.
	counted := got
	counted.Conv, counted.Loaded = store.Conversation{}, false
	if fmt.Sprintf("%+v", counted) != fmt.Sprintf("%+v", want) {
		f.t.Fatalf("Admit(%q) = %+v, separate calls give %+v", id, got, want)
	}
	if got.Loaded {
		if c := f.load(a); string(c.Data) != string(got.Conv.Data) || c.Version != got.Conv.Version {
			f.t.Fatalf("Admit(%q) loaded %+v, Load gives %+v", id, got.Conv, c)
		}
	}
	return got
}

// testAdmit checks that Admit's results (and what it leaves counted) equal the separate
// calls': a new id, a duplicate, a stored conversation, a sender past its limit.
func testAdmit(f *fixture) {
	a, b := f.scope("admit-a"), f.scope("admit-b")
	for _, sc := range []string{a, b} {
		f.save(sc, store.Conversation{Data: []byte("state")}, hour)
	}
	r := f.admitBoth(a, b, "m1", 2, 100)
	if r.Duplicate || r.Sender != 1 || r.Global != 1 || !r.Loaded {
		f.t.Fatalf("first admission = %+v, want counted once and loaded", r)
	}
	f.wantConv(r.Conv, "state", 1)
	r = f.admitBoth(a, b, "m1", 2, 100)
	if !r.Duplicate || string(r.Prev) != "r-m1" || r.Sender != 0 || r.Loaded {
		f.t.Fatalf("duplicate = %+v, want the reservation and nothing counted", r)
	}
	f.admitBoth(a, b, "m2", 2, 100)
	r = f.admitBoth(a, b, "m3", 2, 100)
	if r.Sender != 3 || r.Global != 0 || r.Loaded {
		f.t.Fatalf("past the sender's limit = %+v, want sender 3, global not counted", r)
	}
	// The duplicate and the message past the sender's limit left the global window alone.
	for _, g := range []string{"w-global-a-", "w-global-b-"} {
		if n := f.hit("", g+f.nonce, hour); n != 3 {
			f.t.Fatalf("global window %s after the admissions: next hit = %d, want 3", g, n)
		}
	}
	f.erase(a)
	r = f.admitBoth(a, b+"-fresh", "m1", 2, 100)
	if r.Duplicate || r.Sender != 1 || !r.Loaded || r.Conv.Version != 0 {
		f.t.Fatalf("after Erase = %+v, want a new message without a conversation", r)
	}
}

// testAdmitGlobalLimit checks Admit past the global limit: counted, not loaded.
func testAdmitGlobalLimit(f *fixture) {
	a, b := f.scope("gl-a"), f.scope("gl-b")
	f.admitBoth(a, b, "m1", 10, 1)
	r := f.admitBoth(a, b, "m2", 10, 1)
	if r.Global != 2 || r.Sender != 2 || r.Loaded {
		f.t.Fatalf("past the global limit = %+v, want global 2 and no load", r)
	}
}

// testSaveRemember checks SaveRemember against Save and Remember: both written, or on a
// conflict neither; a value remembered before stays.
func testSaveRemember(f *fixture) {
	sc := f.scope("saverem")
	v, err := store.SaveRemember(f.ctx, f.s, sc, store.Conversation{Data: []byte("one")}, hour, "id1", []byte("reply1"), time.Minute)
	if err != nil || v != 1 {
		f.t.Fatalf("SaveRemember = %d, %v; want version 1", v, err)
	}
	f.wantConv(f.load(sc), "one", 1)
	if prev, ok := f.remember(sc, "id1", []byte("other"), hour); !ok || string(prev) != "reply1" {
		f.t.Fatalf("Remember after SaveRemember = %q, %v; want reply1", prev, ok)
	}
	_, err = store.SaveRemember(f.ctx, f.s, sc, store.Conversation{Data: []byte("stale")}, hour, "id2", []byte("reply2"), time.Minute)
	if err != store.ErrConflict {
		f.t.Fatalf("stale SaveRemember: %v, want ErrConflict", err)
	}
	f.wantConv(f.load(sc), "one", 1)
	if _, ok := f.remember(sc, "id2", []byte("fresh"), hour); ok {
		f.t.Fatal("a conflicting SaveRemember remembered its value")
	}
	f.remember(sc, "id3", []byte("first"), hour)
	if v, err := store.SaveRemember(f.ctx, f.s, sc, store.Conversation{Data: []byte("two"), Version: 1}, hour, "id3", []byte("second"), hour); err != nil || v != 2 {
		f.t.Fatalf("SaveRemember = %d, %v; want version 2", v, err)
	}
	if prev, _ := f.remember(sc, "id3", []byte("x"), hour); string(prev) != "first" {
		f.t.Fatalf("SaveRemember replaced a remembered value: %q, want first", prev)
	}
	if _, err := store.SaveRemember(f.ctx, f.s, sc, store.Conversation{Data: []byte("x"), Version: 2}, hour, "id4", []byte("y"), 0); err == nil {
		f.t.Fatal("SaveRemember with a remember ttl of 0: no error")
	}
}

// admit runs one admission with store.Admit: limit is the sender's, keep the reservations
// scope keeps; the global window is the subtest's own and never full.
func (f *fixture) admit(scope, id string, limit int64, keep int) store.AdmitResult {
	f.t.Helper()
	r, err := store.Admit(f.ctx, f.s, scope, store.Admission{
		ID: id, Value: []byte("r-" + id), TTL: hour,
		Sender: store.Window{Name: "w-sender", TTL: hour, Limit: limit},
		Global: store.Window{Name: "w-global-" + f.nonce, TTL: hour, Limit: 1 << 40},
		Keep:   keep,
	})
	if err != nil {
		f.t.Fatalf("Admit(%q, %q): %v", scope, id, err)
	}
	return r
}

// testAdmitPastLimit checks that Admit reserves a message up to the sender's limit + 1
// (the last one that can get an answer, the notice) and only counts the ones past it:
// what a sender writes past its limit costs no memory, and a repeated delivery of such a
// message is counted again rather than answered from memory.
func testAdmitPastLimit(f *fixture) {
	sc := f.scope("past")
	for i, id := range []string{"m1", "m2", "m3"} {
		if r := f.admit(sc, id, 2, 0); r.Duplicate || !r.Reserved || r.Sender != int64(i+1) {
			f.t.Fatalf("admission %d = %+v, want reserved and counted %d", i+1, r, i+1)
		}
	}
	r := f.admit(sc, "m4", 2, 0)
	if r.Duplicate || r.Reserved || r.Sender != 4 || r.Global != 0 || r.Loaded {
		f.t.Fatalf("past the limit + 1 = %+v, want counted 4, not reserved, not loaded", r)
	}
	if r := f.admit(sc, "m4", 2, 0); r.Duplicate || r.Reserved || r.Sender != 5 {
		f.t.Fatalf("m4 again = %+v, want counted again (5), not a duplicate", r)
	}
	if r := f.admit(sc, "m3", 2, 0); !r.Duplicate || string(r.Prev) != "r-m3" || r.Sender != 0 {
		f.t.Fatalf("m3 again = %+v, want the duplicate of the reserved m3", r)
	}
	if _, found := f.remember(sc, "m4", []byte("x"), hour); found {
		f.t.Fatal("m4, past the limit + 1, was reserved")
	}
}

// testAdmitKeep checks Admit with Keep: the scope keeps the reservations of its last Keep
// messages, each with its answer (store.AnswerID); an older one is forgotten with its
// answer, so a sender's memory is bounded however much it writes.
func testAdmitKeep(f *fixture) {
	sc := f.scope("keep")
	const keep = 3
	ids := []string{"m1", "m2", "m3", "m4", "m5", "m6", "m7"}
	for _, id := range ids {
		if r := f.admit(sc, id, 100, keep); r.Duplicate || !r.Reserved {
			f.t.Fatalf("Admit(%s) = %+v, want reserved", id, r)
		}
		f.remember(sc, store.AnswerID(id), []byte("a-"+id), hour)
	}
	for _, id := range ids[len(ids)-keep:] {
		if r := f.admit(sc, id, 100, keep); !r.Duplicate || string(r.Prev) != "r-"+id {
			f.t.Fatalf("Admit(%s) again = %+v, want a duplicate: one of the last %d", id, r, keep)
		}
		if prev, found := f.remember(sc, store.AnswerID(id), []byte("x"), hour); !found || string(prev) != "a-"+id {
			f.t.Fatalf("answer to %s = %q, %v; want a-%s kept", id, prev, found, id)
		}
	}
	for _, id := range ids[:len(ids)-keep] {
		if prev, found := f.remember(sc, store.AnswerID(id), []byte("x"), hour); found {
			f.t.Fatalf("answer to %s = %q: kept past the last %d", id, prev, keep)
		}
		if prev, found := f.remember(sc, id, []byte("x"), hour); found {
			f.t.Fatalf("reservation of %s = %q: kept past the last %d", id, prev, keep)
		}
	}
	// Erase forgets the ring with the rest; the scope starts afresh.
	f.erase(sc)
	for i, id := range ids[:2] {
		if r := f.admit(sc, id, 100, keep); r.Duplicate || !r.Reserved || r.Sender != int64(i+1) {
			f.t.Fatalf("after Erase, Admit(%s) = %+v, want a new reservation", id, r)
		}
	}
}
