package handoff_test

import (
	"context"
	"errors"
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

// noted is an outbox error with a reason for staff, as the WhatsApp outbox gives.
type noted struct {
	reason string
	held   bool
}

func (n noted) Error() string             { return "not delivered now: " + n.reason }
func (n noted) UndeliveredReason() string { return n.reason }
func (n noted) Held() bool                { return n.held }

// cardStaff is fakeStaff that keeps the case code.
type cardStaff struct {
	*fakeStaff
	code string
}

func (c *cardStaff) PostCase(ctx context.Context, ch string, card handoff.Card) (string, error) {
	c.code = card.Code
	return c.fakeStaff.PostCase(ctx, ch, card)
}

// notingOutbox answers every delivery with err.
type notingOutbox struct{ err error }

func (o notingOutbox) Deliver(context.Context, string, string, string) error { return o.err }

// TestOutboxReasons checks what staff are told when an outbox says why a message did not
// reach the resident now (WhatsApp's window, an opt-out): the reason in the thread, after
// a staff reply and after the closing message; a held message counts as answered (the
// reply is no error and the case waits no more); one not held is the reply's error. A
// failure found later (Undelivered) is told in the open case's thread.
func TestOutboxReasons(t *testing.T) {
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		t.Fatal(err)
	}
	engine := bot.New(set, bot.Options{})
	for _, tt := range []struct {
		name string
		err  noted
	}{
		{"held", noted{"window_template", true}},
		{"not held", noted{"opted_out", false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clk := clock.NewFake(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC))
			mem := store.NewMemory(clk.Now)
			staff := &cardStaff{fakeStaff: &fakeStaff{}}
			conv := conversation.New(conversation.Config{Engine: engine, Store: mem, Now: clk.Now})
			h, err := handoff.New(handoff.Config{Conversations: conv, Store: mem, Records: mem, Key: make([]byte, 32),
				Staff: staff, Channel: "C0STAFF", Outboxes: map[string]handoff.Outbox{"whatsapp": notingOutbox{tt.err}},
				Wait: 10 * time.Minute, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
			conv.Register(h)
			const scope = "resident-1"
			for _, text := range []string{"Jag är 25 och blev rånad", "PERSON", "JA"} {
				conv.Handle(ctx, conversation.Inbound{Scope: scope, Channel: "whatsapp", Address: "whatsapp:+46701740605", Text: text})
				h.Wait()
			}
			if len(staff.ts) != 1 {
				t.Fatal("no case card")
			}
			err = h.StaffReply(ctx, staff.ts[0], "U0STAFF", "Hej!")
			if got := errors.As(err, new(noted)); got == tt.err.held {
				t.Errorf("StaffReply = %v; an error only when the message is not held", err)
			}
			if n := staff.count(handoff.NoteUndelivered, tt.err.reason); n != 1 {
				t.Errorf("%d notes %q after the reply, want 1", n, tt.err.reason)
			}
			if err := h.Undelivered(ctx, scope, "failed"); err != nil {
				t.Fatal(err)
			}
			if n := staff.count(handoff.NoteUndelivered, "failed"); n != 1 {
				t.Errorf("a later failure: %d notes, want 1", n)
			}
			// A held reply stopped the wait: the sweeper past it does not end the case.
			clk.Add(11 * time.Minute)
			if err := h.Sweep(ctx); err != nil && tt.err.held { // not held: the closing message failed
				t.Fatal(err)
			}
			if ended := staff.count(handoff.NoteEnded, handoff.EndedTimeout); ended != map[bool]int{true: 0, false: 1}[tt.err.held] {
				t.Errorf("timeout notes %d; held %v", ended, tt.err.held)
			}
			// The closing message (Avsluta, or the timeout above) is told the same way.
			_ = h.End(ctx, staff.code, "U0STAFF")
			if n := staff.count(handoff.NoteUndelivered, tt.err.reason); n != 2 {
				t.Errorf("%d notes %q after the closing message, want 2", n, tt.err.reason)
			}
		})
	}
}
