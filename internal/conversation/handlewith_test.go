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

// TestLoadedSkipsTheFirstLoad checks that a preloaded conversation is the first attempt's
// state, and that a conflicting save loads afresh.
func TestLoadedSkipsTheFirstLoad(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory(clock)
	hs := &hookStore{Store: mem}
	svc := newService(t, hs, conversation.Config{})

	o := svc.Handle(ctx, conversation.Inbound{Scope: "r1", Text: "Jag blev rånad", Loaded: &store.Conversation{}})
	if o.Degraded || !o.New || hs.loads.Load() != 0 || hs.saves.Load() != 1 {
		t.Fatalf("first turn: degraded %v, new %v, %d loads, %d saves; want a new conversation, 0 loads, 1 save", o.Degraded, o.New, hs.loads.Load(), hs.saves.Load())
	}
	// A stale preload (version 0 while 1 is stored) conflicts: the turn loads and runs again.
	o = svc.Handle(ctx, conversation.Inbound{Scope: "r1", Text: "16", Loaded: &store.Conversation{}})
	if o.Degraded || o.New || hs.loads.Load() != 1 || hs.saves.Load() != 3 {
		t.Fatalf("stale preload: degraded %v, new %v, %d loads, %d saves; want 1 load and 2 more saves", o.Degraded, o.New, hs.loads.Load(), hs.saves.Load())
	}
	if got := text(o); !strings.Contains(got, youthNumber) {
		t.Errorf("reply %q after the reload, want the youth number", got)
	}
}

// joinTexts renders replies as their texts, one per line.
func joinTexts(rs []bot.Reply) ([]byte, error) {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text + "\n")
	}
	return []byte(b.String()), nil
}

// TestTheConversationRemembersTheReply checks Inbound.ReplyID: with a store.ReplySaver the
// rendered reply is stored with the state; with another store just after the turn; an
// erasing turn and a preview remember nothing.
func TestTheConversationRemembersTheReply(t *testing.T) {
	ctx := context.Background()
	in := func(scope, text string) conversation.Inbound {
		return conversation.Inbound{Scope: scope, Text: text, ReplyID: "id", ReplyTTL: time.Hour, Render: joinTexts}
	}
	mem := store.NewMemory(clock)
	svc := newService(t, mem, conversation.Config{})
	o := svc.Handle(ctx, in("r1", "Jag blev rånad"))
	if o.Degraded || !o.Remembered {
		t.Fatalf("degraded %v, remembered %v; want remembered", o.Degraded, o.Remembered)
	}
	want, _ := joinTexts(o.Replies)
	if string(o.Rendered) != string(want) {
		t.Errorf("rendered %q, want %q", o.Rendered, want)
	}
	if prev, ok, _ := mem.Remember(ctx, "r1", "id", []byte("x"), time.Hour); !ok || string(prev) != string(want) {
		t.Errorf("remembered %q, %v; want the rendered reply", prev, ok)
	}

	hs := &hookStore{Store: mem}
	plain := newService(t, hs, conversation.Config{})
	if o := plain.Handle(ctx, in("r2", "Hej")); !o.Remembered || o.RememberErr != nil {
		t.Errorf("a store without SaveRemember: remembered %v (%v), want remembered after the turn", o.Remembered, o.RememberErr)
	}
	if _, ok, _ := mem.Remember(ctx, "r2", "id", []byte("x"), time.Hour); !ok {
		t.Error("a store without SaveRemember: the reply was not remembered")
	}

	o = svc.Handle(ctx, in("r1", "STOPP"))
	if o.Remembered || !hasEvent(o, bot.EventErase) {
		t.Fatalf("STOPP: remembered %v, events %v; want an erase and nothing remembered", o.Remembered, o.Events)
	}
	if _, ok, _ := mem.Remember(ctx, "r1", "id", []byte("x"), time.Hour); ok {
		t.Error("STOPP: something stayed remembered")
	}

	p := in("r3", "Hej")
	p.Preview = true
	if o := svc.Handle(ctx, p); o.Remembered {
		t.Error("a preview remembered its reply")
	}
	if _, ok, _ := mem.Remember(ctx, "r3", "id", []byte("x"), time.Hour); ok {
		t.Error("a preview: something was remembered")
	}
}
