package conversation_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store"
)

// counts flushes tally into a fresh Memory and returns what it wrote for day.
func counts(t *testing.T, tally *conversation.Tally, day string) map[string]int64 {
	t.Helper()
	mem := store.NewMemory(clock)
	if err := tally.Flush(context.Background(), mem); err != nil {
		t.Fatalf("Flush: %v", err)
	}
	got, err := mem.Counts(context.Background(), day, day)
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return got
}

// TestTallyCountsTurns: messages, conversations, languages, routes, danger and erasures
// are counted per day, without anything that names a person.
func TestTallyCountsTurns(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, store.NewMemory(clock), conversation.Config{})
	turns := []struct{ scope, text string }{
		{"a", "Jag är 16 och blev rånad"}, // new, sv, referred boj_youth
		{"a", "han slår mig nu"},          // danger
		{"a", "STOPP"},                    // erase
		{"b", "Hello, I was robbed"},      // new, en, asks the age
		{"b", "I am 34"},                  // referred boj_adult
		{"c", "engelska"},                 // new, switches to en in its first message
		{"c", "suomi"},                    // switches to fi
	}
	for _, tt := range turns {
		if o := svc.Handle(ctx, conversation.Inbound{Scope: tt.scope, Text: tt.text}); o.Degraded {
			t.Fatalf("%q: degraded: %v", tt.text, o.Err)
		}
	}
	got := counts(t, svc.Tally(), conversation.Day(now))
	want := map[string]int64{
		"messages":        7,
		"conversations":   3,
		"lang:sv":         1,
		"lang:en":         2,
		"lang:fi":         1,
		"route:boj_youth": 1,
		"route:boj_adult": 1,
		"danger":          1,
		"erase":           1,
	}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("%s = %d, want %d (all: %v)", name, got[name], n, got)
		}
	}
	for name := range got {
		if strings.ContainsAny(name, "0123456789+@") {
			t.Errorf("counter %q looks like it names a person", name)
		}
	}
	// Flushed counts are gone from the tally.
	if again := counts(t, svc.Tally(), conversation.Day(now)); len(again) != 0 {
		t.Errorf("a second flush wrote %v, want nothing", again)
	}
}

func TestTallyCountsFailedTurns(t *testing.T) {
	hs := &hookStore{Store: store.NewMemory(clock), load: func(context.Context, string) (store.Conversation, error) {
		return store.Conversation{}, errors.New("down")
	}}
	svc := newService(t, hs, conversation.Config{})
	svc.Handle(context.Background(), conversation.Inbound{Scope: "a", Text: "hej"})
	svc.Handle(context.Background(), conversation.Inbound{Scope: "b", Text: "hej"})
	got := counts(t, svc.Tally(), conversation.Day(now))
	if !maps.Equal(got, map[string]int64{"turn_failed": 2}) {
		t.Errorf("counts %v, want turn_failed 2 and nothing else", got)
	}
}

// failingStats fails Count for the counter names in fail.
type failingStats struct {
	store.Stats
	fail map[string]bool
}

func (f failingStats) Count(ctx context.Context, day, name string, n int64) error {
	if f.fail[name] {
		return errors.New("stats store down")
	}
	return f.Stats.Count(ctx, day, name, n)
}

func TestTallyKeepsCountsThatFailedToWrite(t *testing.T) {
	ctx := context.Background()
	tally := conversation.NewTally()
	tally.Add("2025-03-10", "messages", 3)
	tally.Add("2025-03-10", "route:police", 1)
	tally.Add("2025-03-11", "messages", 2)

	mem := store.NewMemory(clock)
	err := tally.Flush(ctx, failingStats{Stats: mem, fail: map[string]bool{"route:police": true}})
	if err == nil || !strings.Contains(err.Error(), "stats store down") {
		t.Fatalf("Flush = %v, want the failure", err)
	}
	got, _ := mem.Counts(ctx, "2025-03-10", "2025-03-11")
	if !maps.Equal(got, map[string]int64{"messages": 5}) {
		t.Errorf("written %v, want messages 5", got)
	}

	// The failed count is written by the next flush, once; more counted meanwhile adds up.
	tally.Add("2025-03-10", "route:police", 1)
	if err := tally.Flush(ctx, mem); err != nil {
		t.Fatalf("second Flush: %v", err)
	}
	got, _ = mem.Counts(ctx, "2025-03-10", "2025-03-10")
	if !maps.Equal(got, map[string]int64{"messages": 3, "route:police": 2}) {
		t.Errorf("after the second flush %v, want messages 3, route:police 2", got)
	}
}

func TestTallyIsSafeForConcurrentUse(t *testing.T) {
	tally := conversation.NewTally()
	mem := store.NewMemory(clock)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 100 {
				tally.Add("2025-03-10", "messages", 1)
			}
		}()
		go func() {
			defer wg.Done()
			_ = tally.Flush(context.Background(), mem)
		}()
	}
	wg.Wait()
	if err := tally.Flush(context.Background(), mem); err != nil {
		t.Fatal(err)
	}
	got, _ := mem.Counts(context.Background(), "2025-03-10", "2025-03-10")
	if got["messages"] != 800 {
		t.Errorf("messages = %d, want 800: counts were lost or doubled", got["messages"])
	}
}

// TestFlushEveryFlushesOnStop: when its context ends, FlushEvery writes what is left.
func TestFlushEveryFlushesOnStop(t *testing.T) {
	tally := conversation.NewTally()
	tally.Add("2025-03-10", "messages", 4)
	tally.Add("2025-03-10", "route:police", 1)
	mem := store.NewMemory(clock)
	var errs []error
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tally.FlushEvery(ctx, failingStats{Stats: mem, fail: map[string]bool{"route:police": true}}, time.Hour, func(err error) { errs = append(errs, err) })
	got, _ := mem.Counts(context.Background(), "2025-03-10", "2025-03-10")
	if !maps.Equal(got, map[string]int64{"messages": 4}) {
		t.Errorf("written %v, want messages 4", got)
	}
	if len(errs) != 1 {
		t.Errorf("onErr called %d times, want once for the failed count", len(errs))
	}
}
