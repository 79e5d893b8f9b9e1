package handoff_test

import (
	"context"
	"strings"
	"sync"
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

// fakeStaff is the staff channel: it keeps the notes posted in each case's thread.
type fakeStaff struct {
	mu    sync.Mutex
	ts    []string
	notes []handoff.Note
}

func (f *fakeStaff) PostCase(context.Context, string, handoff.Card) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ts = append(f.ts, "1764486000.000100")
	return f.ts[len(f.ts)-1], nil
}

func (f *fakeStaff) UpdateCase(context.Context, string, string, handoff.Card) error { return nil }

func (f *fakeStaff) PostNote(_ context.Context, _, _ string, n handoff.Note) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notes = append(f.notes, n)
	return nil
}

func (f *fakeStaff) count(k handoff.NoteKind, reason string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, x := range f.notes {
		if x.Kind == k && x.Reason == reason {
			n++
		}
	}
	return n
}

// fakeOutbox keeps what reaches the resident.
type fakeOutbox struct {
	mu   sync.Mutex
	sent []string
}

func (f *fakeOutbox) Deliver(_ context.Context, _, _, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, text)
	return nil
}

func (f *fakeOutbox) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

// TestWaitingOncePerStretchAcrossReplicas: two replicas share one store; after staff
// answered, a resident's unanswered messages get the waiting notice once per stretch
// whichever replica relays or sweeps, at once outside staffed hours (not after a danger
// message, whose 112 reply comes first), and a staff reply starts a new stretch.
func TestWaitingOncePerStretchAcrossReplicas(t *testing.T) {
	tests := []struct {
		name    string
		staffed bool
		text    string // the resident's messages after staff's reply: a stretch
		second  string
		atOnce  bool // the notice goes as soon as it is relayed
		reason  string
	}{
		{"staffed hours", true, "hallå?", "är du kvar?", false, handoff.WaitedWait},
		{"outside staffed hours", false, "hallå?", "är du kvar?", true, handoff.WaitedOffHours},
		{"danger outside staffed hours", false, "han slår mig nu", "han slår mig nu igen", false, handoff.WaitedWait},
	}
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		t.Fatal(err)
	}
	engine := bot.New(set, bot.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			clk := clock.NewFake(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC))
			mem := store.NewMemory(clk.Now)
			staff, out := &fakeStaff{}, &fakeOutbox{}
			staffed := true
			var replicas [2]*handoff.Service
			var convs [2]*conversation.Service
			for i := range replicas {
				convs[i] = conversation.New(conversation.Config{Engine: engine, Store: mem, Now: clk.Now})
				convs[i].Register(alwaysStaffed{})
				replicas[i], err = handoff.New(handoff.Config{Conversations: convs[i], Store: mem, Records: mem,
					Key: make([]byte, 32), Staff: staff, Channel: "C0STAFF", Outboxes: map[string]handoff.Outbox{"web": out},
					Wait: 10 * time.Minute, Clock: clk, Staffed: func(time.Time) bool { return staffed }})
				if err != nil {
					t.Fatal(err)
				}
			}
			const scope = "resident-1"
			say := func(r int, text string) conversation.Outcome {
				t.Helper()
				o := convs[r].Handle(ctx, conversation.Inbound{Scope: scope, Text: text, Channel: "web"})
				replicas[r].Observe(ctx, handoff.Turn{Channel: "web", Scope: scope, Text: text, Outcome: o})
				replicas[r].Wait()
				return o
			}
			sweep := func() {
				t.Helper()
				var wg sync.WaitGroup
				for _, r := range replicas {
					wg.Go(func() {
						if err := r.Sweep(ctx); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
			}
			say(0, "Jag är 25 och blev rånad")
			say(0, "PERSON")
			say(0, "JA")
			if len(staff.ts) != 1 {
				t.Fatalf("no case card")
			}
			if err := replicas[1].StaffReply(ctx, staff.ts[0], "U0STAFF", "Hej!"); err != nil {
				t.Fatal(err)
			}
			staffed = tt.staffed
			clk.Add(time.Minute)
			start := clk.Now()
			o := say(0, tt.text)
			if strings.Contains(tt.text, "slår") != (len(o.Replies) > 0 && strings.Contains(o.Replies[0].Text, "112")) {
				t.Fatalf("reply to %q: %+v", tt.text, o.Replies)
			}
			say(1, tt.second) // the same stretch, through the other replica
			wantNotice := func(want int, when string) {
				t.Helper()
				n := 0
				for _, s := range out.all() {
					if strings.HasPrefix(s, "Ingen i personalen har kunnat svara dig än.") {
						n++
						if !strings.Contains(s, "021-41 32 60") || strings.Contains(s, "010-567 63 25") {
							t.Errorf("%s: the notice for an adult: %q", when, s)
						}
					}
				}
				if n != want {
					t.Fatalf("%s: %d waiting notices, want %d: %q", when, n, want, out.all())
				}
			}
			if tt.atOnce {
				wantNotice(1, "at once")
			} else {
				wantNotice(0, "at once")
			}
			clk.Set(start.Add(10*time.Minute - time.Nanosecond))
			sweep()
			if !tt.atOnce {
				wantNotice(0, "before the wait")
			}
			clk.Set(start.Add(10 * time.Minute))
			sweep()
			clk.Add(time.Hour)
			sweep()
			wantNotice(1, "after the wait")
			if n := staff.count(handoff.NoteWaited, tt.reason); n != 1 {
				t.Errorf("%d thread notes %q, want 1", n, tt.reason)
			}

			// A staff reply ends the stretch; the next message starts a new one.
			if err := replicas[0].StaffReply(ctx, staff.ts[0], "U0STAFF", "Förlåt!"); err != nil {
				t.Fatal(err)
			}
			staffed = true
			say(1, "tack")
			clk.Add(10 * time.Minute)
			sweep()
			wantNotice(2, "new stretch")
		})
	}
}
