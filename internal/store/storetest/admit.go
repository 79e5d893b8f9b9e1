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
