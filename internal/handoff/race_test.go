package handoff_test

import (
	"context"
	"encoding/json"
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

// actorKey marks a context with the step that makes a store call, for rendezvous.
type actorKey struct{}

// rendezvous is store.Records that makes the first two reads of a case by each of two
// steps (contexts marked 0 and 1) wait for the other's: both read the case before either
// writes it, the interleaving in which a plain read-then-put loses one step's change.
// Later reads pass at once, as do reads of unmarked contexts.
type rendezvous struct {
	store.Records
	mu     sync.Mutex
	reads  [2]int
	met    [2]chan struct{} // met[k] is closed when both made their k+1-th read
	n      [2]int
	missed bool
	// abort ends a wait that would not end (the relay's context is not cancelled).
	abort <-chan struct{}
}

func newRendezvous(r store.Records) *rendezvous {
	return &rendezvous{Records: r, met: [2]chan struct{}{make(chan struct{}), make(chan struct{})}}
}

func (r *rendezvous) Get(ctx context.Context, scope, key string) ([]byte, bool, error) {
	actor, marked := ctx.Value(actorKey{}).(int)
	if marked && key == "handoff" {
		r.mu.Lock()
		k := r.reads[actor]
		r.reads[actor]++
		if k < len(r.met) {
			if r.n[k]++; r.n[k] == 2 {
				close(r.met[k])
			}
		}
		r.mu.Unlock()
		if k < len(r.met) {
			select {
			case <-r.met[k]:
			case <-r.abort:
				r.mu.Lock()
				r.missed = true
				r.mu.Unlock()
			}
		}
	}
	return r.Records.Get(ctx, scope, key)
}

// storedCase is the part of the stored case record the race test checks.
type storedCase struct {
	Answered   bool      `json:"answered"`
	Unanswered time.Time `json:"unanswered"`
	Active     time.Time `json:"active"`
}

// TestStaffReplyRacesRelay: two replicas share one store; staff's first reply (on one) and
// a resident's message relayed (on the other) read the case at the same time, before
// either writes it. Neither change may be lost: the case ends answered (with a plain read
// and put, the relay could write it back unanswered, and the sweeper end it as timed out
// although staff replied), and unanswered since the message only if the relay came last.
// After the wait the sweeper then ends nothing, and sends the waiting notice exactly when
// the message is unanswered.
func TestStaffReplyRacesRelay(t *testing.T) {
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		t.Fatal(err)
	}
	engine := bot.New(set, bot.Options{})
	const rounds = 40
	orders := map[bool]int{}
	for round := range rounds {
		ctx := context.Background()
		clk := clock.NewFake(time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC))
		mem := store.NewMemory(clk.Now)
		rec := newRendezvous(mem)
		staff, out := &fakeStaff{}, &fakeOutbox{}
		var replicas [2]*handoff.Service
		var convs [2]*conversation.Service
		for i := range replicas {
			convs[i] = conversation.New(conversation.Config{Engine: engine, Store: mem, Now: clk.Now})
			convs[i].Register(alwaysStaffed{})
			replicas[i], err = handoff.New(handoff.Config{Conversations: convs[i], Store: mem, Records: rec,
				Key: make([]byte, 32), Staff: staff, Channel: "C0STAFF", Outboxes: map[string]handoff.Outbox{"web": out},
				Wait: 10 * time.Minute, Clock: clk})
			if err != nil {
				t.Fatal(err)
			}
		}
		const scope = "resident-1"
		for _, text := range []string{"Jag är 25 och blev rånad", "PERSON", "JA"} {
			o := convs[0].Handle(ctx, conversation.Inbound{Scope: scope, Text: text, Channel: "web"})
			replicas[0].Observe(ctx, handoff.Turn{Channel: "web", Scope: scope, Text: text, Outcome: o})
			replicas[0].Wait()
		}
		if len(staff.ts) != 1 {
			t.Fatalf("round %d: no case card", round)
		}
		clk.Add(time.Minute)
		relayed := clk.Now()

		// The race: deadlines only so that a missed rendezvous fails instead of hanging.
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		rec.abort = rctx.Done()
		var wg sync.WaitGroup
		wg.Go(func() {
			const text = "hallå?"
			o := convs[0].Handle(ctx, conversation.Inbound{Scope: scope, Text: text, Channel: "web"})
			replicas[0].Observe(context.WithValue(rctx, actorKey{}, 0), handoff.Turn{Channel: "web", Scope: scope, Text: text, Outcome: o})
			replicas[0].Wait()
		})
		wg.Go(func() {
			if err := replicas[1].StaffReply(context.WithValue(rctx, actorKey{}, 1), staff.ts[0], "U0STAFF", "Hej!"); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		cancel()
		if rec.missed {
			t.Fatalf("round %d: the two steps did not both read the case", round)
		}

		b, ok, err := mem.Get(ctx, scope, "handoff")
		if err != nil || !ok {
			t.Fatalf("round %d: case gone: %v, %v", round, ok, err)
		}
		var c storedCase
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		if !c.Answered {
			t.Fatalf("round %d: staff replied, but the case is stored unanswered: %s", round, b)
		}
		if !c.Unanswered.IsZero() && !c.Unanswered.Equal(relayed) {
			t.Fatalf("round %d: unanswered since %v, want zero or the message's time %v", round, c.Unanswered, relayed)
		}
		if !c.Active.Equal(relayed) {
			t.Fatalf("round %d: active %v, want %v", round, c.Active, relayed)
		}
		relayLast := !c.Unanswered.IsZero()
		orders[relayLast]++

		// Past the first wait and the stretch's: nothing ends; the notice only if unanswered.
		clk.Add(10 * time.Minute)
		for _, r := range replicas {
			if err := r.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := staff.count(handoff.NoteEnded, handoff.EndedTimeout); n != 0 {
			t.Fatalf("round %d: an answered case ended as timed out", round)
		}
		if n, want := staff.count(handoff.NoteWaited, handoff.WaitedWait), map[bool]int{false: 0, true: 1}[relayLast]; n != want {
			t.Fatalf("round %d: %d waiting notes with the relay last %v, want %d", round, n, relayLast, want)
		}
		for i := range replicas {
			replicas[i].Wait()
		}
	}
	t.Logf("relay last in %d of %d rounds, staff reply last in %d", orders[true], rounds, orders[false])
}

// alwaysStaffed is a feature that says staff are on duty, as the handoff feature does in
// staffed hours; these tests tell the handoff service of each turn themselves (Observe).
type alwaysStaffed struct{}

func (alwaysStaffed) Name() string { return "staffed" }
func (alwaysStaffed) Before(_ context.Context, _ conversation.Inbound, msg *bot.Message) error {
	msg.Staffed = true
	return nil
}
func (alwaysStaffed) After(context.Context, conversation.Inbound, conversation.Outcome) error {
	return nil
}
