package conversation_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store"
)

// staffed is a feature that says staff are on duty, as the handoff feature does in
// staffed hours.
type staffed struct{}

func (staffed) Name() string { return "staffed" }
func (staffed) Before(_ context.Context, _ conversation.Inbound, msg *bot.Message) error {
	msg.Staffed = true
	return nil
}
func (staffed) After(context.Context, conversation.Inbound, conversation.Outcome) error { return nil }

// recorder is a feature that records what it is told and can fail.
type recorder struct {
	before    []conversation.Inbound
	after     []conversation.Outcome
	afterIn   []conversation.Inbound
	invite    string
	beforeErr error
	afterErr  error
}

func (r *recorder) Name() string { return "recorder" }
func (r *recorder) Before(_ context.Context, in conversation.Inbound, msg *bot.Message) error {
	r.before = append(r.before, in)
	msg.Invite = r.invite
	return r.beforeErr
}
func (r *recorder) After(_ context.Context, in conversation.Inbound, o conversation.Outcome) error {
	r.afterIn = append(r.afterIn, in)
	r.after = append(r.after, o)
	return r.afterErr
}

// TestFeatureBeforeAddsFactsAndNeverBlocks: what a feature's Before sets reaches the engine
// (an invite's area opens the ombud offer), and a failing Before still lets the turn answer.
func TestFeatureBeforeAddsFactsAndNeverBlocks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		invite string
		err    error
		want   string
	}{
		{"facts", "backby", nil, "ombud_offer"},
		{"fails after setting nothing", "", errors.New("redis: connection refused"), "grannsamverkan"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := newService(t, store.NewMemory(clock), conversation.Config{})
			r := &recorder{invite: tc.invite, beforeErr: tc.err}
			svc.Register(r)
			o := svc.Handle(context.Background(), conversation.Inbound{Scope: "resident", Text: "OMBUD BK-4821", Channel: "sms", Address: "+46700000001"})
			if o.Degraded || len(o.Replies) == 0 || o.Replies[0].MessageID != tc.want {
				t.Fatalf("reply = %+v (degraded %v), want %s", o.Replies, o.Degraded, tc.want)
			}
			if len(r.before) != 1 || r.before[0].Scope != "resident" || r.before[0].Address != "+46700000001" || r.before[0].At.IsZero() {
				t.Errorf("Before got %+v, want the inbound with its scope, address and time", r.before)
			}
		})
	}
}

// TestFeatureAfterSeesEveryTurn: After is told each turn's channel, outcome and duration,
// degraded turns included, and its failure changes nothing.
func TestFeatureAfterSeesEveryTurn(t *testing.T) {
	h := &hookStore{Store: store.NewMemory(clock)}
	svc := newService(t, h, conversation.Config{})
	r := &recorder{afterErr: errors.New("metrics down")}
	svc.Register(r)
	svc.Handle(t.Context(), conversation.Inbound{Scope: "scope", Text: "Jag är 16 och blev rånad", Channel: "sms"})
	h.load = func(context.Context, string) (store.Conversation, error) {
		return store.Conversation{}, errors.New("down")
	}
	o := svc.Handle(t.Context(), conversation.Inbound{Scope: "scope", Text: "hej", Channel: "web"})
	if !o.Degraded || len(o.Replies) != 1 {
		t.Fatalf("second turn %+v, want the safety reply", o)
	}
	if len(r.after) != 2 {
		t.Fatalf("After saw %d turns, want 2", len(r.after))
	}
	if r.afterIn[0].Channel != "sms" || r.after[0].Degraded || len(r.after[0].Replies) == 0 || r.after[0].Took <= 0 || len(r.after[0].Events) == 0 {
		t.Errorf("first turn seen as %+v", r.after[0])
	}
	if r.afterIn[1].Channel != "web" || !r.after[1].Degraded || len(r.after[1].Replies) != 1 {
		t.Errorf("degraded turn seen as %+v", r.after[1])
	}
}

// TestPreview: a preview runs the features' Before steps and the engine as a resident's
// turn would, and nothing else: without a scope nothing is loaded or saved; with one only
// that scope is saved; After never runs and nothing is counted.
func TestPreview(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory(clock)
	hs := &hookStore{Store: mem}
	svc := newService(t, hs, conversation.Config{})
	r := &recorder{invite: "backby"}
	svc.Register(r)

	o := svc.Handle(ctx, conversation.Inbound{Channel: "sms", Text: "OMBUD BK-4821", Preview: true})
	if o.Degraded || len(o.Replies) == 0 || o.Replies[0].MessageID != "ombud_offer" {
		t.Fatalf("preview reply %+v, want the ombud offer a resident would get", o.Replies)
	}
	if len(r.before) != 1 || !r.before[0].Preview {
		t.Errorf("Before saw %+v, want one preview", r.before)
	}
	if hs.loads.Load() != 0 || hs.saves.Load() != 0 {
		t.Errorf("a preview without scope: %d loads, %d saves; want none", hs.loads.Load(), hs.saves.Load())
	}

	o = svc.Handle(ctx, conversation.Inbound{Channel: "sms", Scope: "slacktest:C1:1", Text: "16", Preview: true, Lang: "en"})
	if o.Degraded || o.State.Lang != "en" {
		t.Fatalf("preview in a thread: %+v", o)
	}
	if st, v := stored(t, mem, "slacktest:C1:1"); v == 0 || st.Lang != "en" {
		t.Errorf("the test conversation was not saved (version %d, %+v)", v, st)
	}
	if len(r.after) != 0 {
		t.Errorf("After ran for a preview: %+v", r.after)
	}
	if err := svc.Tally().Flush(ctx, mem); err != nil {
		t.Fatal(err)
	}
	if got, _ := mem.Counts(ctx, conversation.Day(clock()), conversation.Day(clock())); len(got) != 0 {
		t.Errorf("previews were counted: %v", got)
	}
}

// TestNewScopeMovesAtTheHandoff: a turn that starts a handoff moves the conversation to the
// scope NewScope gives before the features act; other turns stay where they are.
func TestNewScopeMovesAtTheHandoff(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory(clock)
	svc := newService(t, mem, conversation.Config{})
	svc.Register(staffed{})
	r := &recorder{}
	svc.Register(r)
	moved := 0
	in := func(text string) conversation.Inbound {
		return conversation.Inbound{Scope: "old", Text: text, NewScope: func() (string, bool) { moved++; return "new", true }}
	}
	if o := svc.Handle(ctx, in("PERSON")); o.Scope != "old" || moved != 0 {
		t.Fatalf("PERSON: scope %q, moved %d; want no move before the handoff", o.Scope, moved)
	}
	o := svc.Handle(ctx, in("JA"))
	if !hasEvent(o, bot.EventHandoffStarted) || o.Scope != "new" || moved != 1 {
		t.Fatalf("JA: events %v, scope %q, moved %d; want the handoff under the new scope", o.Events, o.Scope, moved)
	}
	if _, v := stored(t, mem, "old"); v != 0 {
		t.Error("the old scope still holds the conversation")
	}
	if st, v := stored(t, mem, "new"); v == 0 || !st.Handoff {
		t.Errorf("the new scope holds %+v (version %d), want the handoff", st, v)
	}
	if last := r.afterIn[len(r.afterIn)-1]; last.Scope != "new" {
		t.Errorf("After saw scope %q, want the new one", last.Scope)
	}
}
