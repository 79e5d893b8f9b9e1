package events_test

import (
	"testing"

	"github.com/vasteras/trygg/flows/events"
)

// TestListIsWhole: every kind appears once, and the flows may emit exactly the kinds the
// host expects from them.
func TestListIsWhole(t *testing.T) {
	seen := map[events.Kind]bool{}
	for _, s := range events.All() {
		if s.Kind == "" || seen[s.Kind] {
			t.Errorf("kind %q empty or listed twice", s.Kind)
		}
		seen[s.Kind] = true
		if got, ok := events.Lookup(s.Kind); !ok || got != s {
			t.Errorf("Lookup(%q) = %+v, %v", s.Kind, got, ok)
		}
	}
	if _, ok := events.Lookup("unsafe"); ok {
		t.Error(`Lookup("unsafe") found a kind`)
	}
	want := []events.Kind{events.Referred, events.HandoffRequested, events.HandoffStarted, events.OmbudJoin, events.OmbudLeave, events.UnsafePlace}
	got := events.FlowKinds()
	if len(got) != len(want) {
		t.Fatalf("FlowKinds = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("FlowKinds = %v, want %v", got, want)
		}
	}
}
