package handoff_test

import (
	"context"
	"testing"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/clock"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/handoff"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/locales"
)

// TestFeatureOffersStaffOnlyWhereTheyCanAnswer: as a conversation feature the handoff
// service says staff are on duty in staffed hours and only for a channel staff can answer
// through; a turn that starts a handoff opens a case, and one in a channel without an
// outbox (the terminal) opens none.
func TestFeatureOffersStaffOnlyWhereTheyCanAnswer(t *testing.T) {
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC))
	mem := store.NewMemory(clk.Now)
	conv := conversation.New(conversation.Config{Engine: bot.New(set, bot.Options{}), Store: mem, Now: clk.Now})
	staff := &fakeStaff{}
	staffed := true
	h, err := handoff.New(handoff.Config{Conversations: conv, Store: mem, Records: mem, Key: make([]byte, 32),
		Staff: staff, Channel: "C0STAFF", Outboxes: map[string]handoff.Outbox{"web": &fakeOutbox{}},
		Clock: clk, Staffed: func(time.Time) bool { return staffed }})
	if err != nil {
		t.Fatal(err)
	}
	conv.Register(h)
	for _, tc := range []struct {
		channel string
		staffed bool
		want    bool
	}{
		{"web", true, true},
		{"web", false, false},
		{"chat", true, false},
	} {
		staffed = tc.staffed
		var msg bot.Message
		if err := h.Before(context.Background(), conversation.Inbound{Channel: tc.channel, At: clk.Now()}, &msg); err != nil {
			t.Fatal(err)
		}
		if msg.Staffed != tc.want {
			t.Errorf("%s, staffed hours %v: Staffed %v, want %v", tc.channel, tc.staffed, msg.Staffed, tc.want)
		}
	}
	staffed = true
	for _, ch := range []string{"chat", "web"} {
		conv.Handle(context.Background(), conversation.Inbound{Channel: ch, Scope: ch + "-resident", Text: "PERSON"})
		conv.Handle(context.Background(), conversation.Inbound{Channel: ch, Scope: ch + "-resident", Text: "JA"})
	}
	h.Wait()
	if got, err := mem.List(context.Background(), handoff.CasesScope); err != nil || len(got) != 1 {
		t.Errorf("%d cases open (%v), want the web resident's one", len(got), err)
	}
}
