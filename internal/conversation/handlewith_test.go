package conversation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store"
)

// TestHandleWithLoadedSkipsTheFirstLoad checks that a preloaded conversation is the first
// attempt's state, and that a conflicting save loads afresh.
func TestHandleWithLoadedSkipsTheFirstLoad(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory(clock)
	hs := &hookStore{Store: mem}
	svc := newService(t, hs, conversation.Config{})

	o := svc.HandleWith(ctx, "r1", bot.Message{Text: "Jag blev rånad"}, conversation.Turn{Loaded: &store.Conversation{}})
	if o.Degraded || !o.New || hs.loads.Load() != 0 || hs.saves.Load() != 1 {
		t.Fatalf("first turn: degraded %v, new %v, %d loads, %d saves; want a new conversation, 0 loads, 1 save", o.Degraded, o.New, hs.loads.Load(), hs.saves.Load())
	}
	// A stale preload (version 0 while 1 is stored) conflicts: the turn loads and runs again.
	o = svc.HandleWith(ctx, "r1", bot.Message{Text: "16"}, conversation.Turn{Loaded: &store.Conversation{}})
	if o.Degraded || o.New || hs.loads.Load() != 1 || hs.saves.Load() != 3 {
		t.Fatalf("stale preload: degraded %v, new %v, %d loads, %d saves; want 1 load and 2 more saves", o.Degraded, o.New, hs.loads.Load(), hs.saves.Load())
	}
	if got := text(o); !strings.Contains(got, youthNumber) {
		t.Errorf("reply %q after the reload, want the youth number", got)
	}
}

// TestHandleWithRemembersTheReplyWithTheState checks Turn.Reply: with a store.ReplySaver the
// value is stored with the state; a store without one leaves it to the channel; an erasing
// turn remembers nothing.
func TestHandleWithRemembersTheReplyWithTheState(t *testing.T) {
	ctx := context.Background()
	reply := func(o conversation.Outcome) (string, []byte, time.Duration, bool) {
		return "id", []byte(o.Replies[0].Text), time.Hour, true
	}
	mem := store.NewMemory(clock)
	svc := newService(t, mem, conversation.Config{})
	o := svc.HandleWith(ctx, "r1", bot.Message{Text: "Jag blev rånad"}, conversation.Turn{Reply: reply})
	if o.Degraded || !o.Remembered {
		t.Fatalf("degraded %v, remembered %v; want remembered", o.Degraded, o.Remembered)
	}
	if prev, ok, _ := mem.Remember(ctx, "r1", "id", []byte("x"), time.Hour); !ok || string(prev) != o.Replies[0].Text {
		t.Errorf("remembered %q, %v; want the reply", prev, ok)
	}

	plain := newService(t, &hookStore{Store: mem}, conversation.Config{})
	if o := plain.HandleWith(ctx, "r2", bot.Message{Text: "Hej"}, conversation.Turn{Reply: reply}); o.Remembered {
		t.Error("a store without SaveRemember: Remembered is true")
	}
	if _, ok, _ := mem.Remember(ctx, "r2", "id", []byte("x"), time.Hour); ok {
		t.Error("a store without SaveRemember: the reply was remembered")
	}

	o = svc.HandleWith(ctx, "r1", bot.Message{Text: "STOPP"}, conversation.Turn{Reply: reply})
	if o.Remembered || !hasEvent(o, bot.EventErase) {
		t.Fatalf("STOPP: remembered %v, events %v; want an erase and nothing remembered", o.Remembered, o.Events)
	}
	if _, ok, _ := mem.Remember(ctx, "r1", "id", []byte("x"), time.Hour); ok {
		t.Error("STOPP: something stayed remembered")
	}
}
