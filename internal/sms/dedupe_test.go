package sms_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
)

// sleeps records the waits of a handler instead of waiting, and may run a hook first.
type sleeps struct {
	mu   sync.Mutex
	got  []time.Duration
	hook func()
}

func (s *sleeps) option(c *sms.Config, _ *convConfig) { c.Sleep = s.sleep }

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	s.got = append(s.got, d)
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	return nil
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.got...)
}

// TestProcessedOnce delivers the same MessageSid again, as a proxy or Twilio's fallback
// would: the same TwiML comes back and the conversation does not advance. A new MessageSid
// with the same words is a new message.
func TestProcessedOnce(t *testing.T) { eachStore(t, testProcessedOnce) }

func testProcessedOnce(t *testing.T, st option) {
	var sl sleeps
	e := newEnv(t, st, sl.option)
	msg := message(sidN(1), "Jag är 16 och blev rånad")
	first := e.do(signed(inboundURL, msg))
	firstMsgs := messages(t, first)

	// At once: the answer may still be running on another replica, so the repeat waits for
	// the time that one had, then takes its reply.
	again := e.do(signed(inboundURL, msg))
	if again.Body.String() != first.Body.String() {
		t.Errorf("immediate repeat answered differently:\n%s\n%s", first.Body, again.Body)
	}
	if w := sl.waits(); len(w) != 1 || w[0] <= 0 || w[0] > sms.DefaultReplyWithin {
		t.Errorf("waits %v, want one of at most %v", w, sms.DefaultReplyWithin)
	}

	// Later: the first answer is long done, no waiting.
	e.clock.Advance(time.Minute)
	later := e.do(signed(inboundURL, msg))
	if later.Body.String() != first.Body.String() {
		t.Errorf("later repeat answered differently:\n%s", later.Body)
	}
	if w := sl.waits(); len(w) != 1 {
		t.Errorf("waits %v: waited for an answer that was done", w)
	}
	if v := e.conversation(resident).Version; v != 1 {
		t.Errorf("conversation version %d after repeats, want 1", v)
	}
	if n := testutil.ToFloat64(e.metrics.SMSIn.WithLabelValues(metrics.ResultDuplicate)); n != 2 {
		t.Errorf("duplicates %v, want 2", n)
	}
	if n := testutil.ToFloat64(e.metrics.SMSIn.WithLabelValues(metrics.ResultAnswered)); n != 1 {
		t.Errorf("answered %v, want 1", n)
	}

	// The same words under a new MessageSid are a new message.
	next := e.do(signed(inboundURL, message(sidN(2), "Jag är 16 och blev rånad")))
	messages(t, next)
	if v := e.conversation(resident).Version; v != 2 {
		t.Errorf("conversation version %d after a new message, want 2", v)
	}
	// The same MessageSid from another sender is another sender's message.
	other := message(sidN(1), "Jag är 16 och blev rånad")
	other["From"] = "+46701740606"
	messages(t, e.do(signed(inboundURL, other)))
	if v := e.conversation("+46701740606").Version; v != 1 {
		t.Errorf("other sender's version %d, want 1", v)
	}
	if len(firstMsgs) == 0 {
		t.Error("no reply")
	}
}

// TestProcessedOnceAfterErase checks that STOPP leaves nothing behind, not even its
// remembered reply: a repeated STOPP erases and confirms again.
func TestProcessedOnceAfterErase(t *testing.T) { eachStore(t, testProcessedOnceAfterErase) }

func testProcessedOnceAfterErase(t *testing.T, st option) {
	e := newEnv(t, st)
	messages(t, e.do(signed(inboundURL, message(sidN(1), "Jag blev rånad"))))
	stop := message(sidN(2), "STOPP")
	first := e.do(signed(inboundURL, stop))
	msgs := messages(t, first)
	if len(msgs) != 1 || !strings.Contains(msgs[0], "112") {
		t.Fatalf("STOPP answered %q", msgs)
	}
	ctx := context.Background()
	scope := e.scope(resident)
	if c := e.conversation(resident); c.Version != 0 {
		t.Errorf("conversation version %d after STOPP, want 0", c.Version)
	}
	// Nothing remembered under the scope: Remember stores anew for both messages' ids.
	for _, id := range []string{"sms:" + sidN(1), "sms:" + sidN(2), "sms:" + sidN(2) + ":reply"} {
		if _, found, err := e.mem.Remember(ctx, scope, id, []byte("x"), time.Minute); err != nil || found {
			t.Errorf("%s still remembered after STOPP (err %v)", id, err)
		}
	}
	e.mem.Erase(ctx, scope)
	e.clock.Advance(time.Minute)
	if again := e.do(signed(inboundURL, stop)); again.Body.String() != first.Body.String() {
		t.Errorf("repeated STOPP answered differently:\n%s\n%s", first.Body, again.Body)
	}
}

// TestProcessedOnceConcurrent delivers the same MessageSid twice at the same time to one
// process: the second waits for the first's answer, and one turn runs.
func TestProcessedOnceConcurrent(t *testing.T) { eachStore(t, testProcessedOnceConcurrent) }

func testProcessedOnceConcurrent(t *testing.T, st option) {
	e := newEnv(t, st, func(c *sms.Config, cc *convConfig) { cc.Timeout = time.Minute; c.ReplyWithin = time.Minute })
	release := make(chan struct{})
	loading := make(chan struct{}, 1)
	e.store.release = release
	e.store.fail = func(op string) behaviour {
		// The turn's first store step: its load, or with batched calls (the state came
		// with the admission) its save.
		if op == "load" || op == "save_remember" {
			loading <- struct{}{}
			return gated
		}
		return pass
	}
	msg := message(sidN(1), "Jag är 16 och blev rånad")
	answers := make(chan *httptest.ResponseRecorder, 2)
	go func() { answers <- e.do(signed(inboundURL, msg)) }()
	<-loading // the first delivery is in its turn
	go func() { answers <- e.do(signed(inboundURL, msg)) }()
	waitFor(t, func() bool { return sms.Waiting(e.handler, e.scope(resident), sidN(1)) == 1 })
	close(release)
	a, b := <-answers, <-answers
	if a.Body.String() != b.Body.String() {
		t.Errorf("concurrent deliveries answered differently:\n%s\n%s", a.Body, b.Body)
	}
	if all := strings.Join(messages(t, a), " "); !strings.Contains(all, youthBOJ) {
		t.Errorf("answer is not the turn's: %s", all)
	}
	if v := e.conversation(resident).Version; v != 1 {
		t.Errorf("conversation version %d, want 1", v)
	}
}

// TestProcessedOnceAcrossReplicas delivers the same MessageSid to two replicas at once.
// The second finds the first's reservation and waits; if the first answers in time it gets
// the same reply, else the safety reply, which then stands for every later delivery. Never
// a second turn.
func TestProcessedOnceAcrossReplicas(t *testing.T) { eachStore(t, testProcessedOnceAcrossReplicas) }

func testProcessedOnceAcrossReplicas(t *testing.T, st option) {
	for _, inTime := range []bool{true, false} {
		name := map[bool]string{true: "first answers in time", false: "first is late"}[inTime]
		t.Run(name, func(t *testing.T) {
			slow := func(c *sms.Config, cc *convConfig) { cc.Timeout = time.Minute; c.ReplyWithin = time.Minute }
			e := newEnv(t, st, slow)
			release := make(chan struct{})
			loading := make(chan struct{}, 1)
			e.store.release = release
			e.store.fail = func(op string) behaviour {
				if op == "load" || op == "save_remember" { // the turn's first store step
					select {
					case loading <- struct{}{}:
					default:
					}
					return gated
				}
				return pass
			}
			msg := message(sidN(1), "Jag är 16 och blev rånad")
			firstDone := make(chan *httptest.ResponseRecorder, 1)
			go func() { firstDone <- e.do(signed(inboundURL, msg)) }()
			<-loading

			var first *httptest.ResponseRecorder
			sl := &sleeps{}
			if inTime {
				sl.hook = func() { close(release); first = <-firstDone }
			}
			second := httptest.NewRecorder()
			e.replica(st, slow, sl.option).ServeHTTP(second, signed(inboundURL, msg))
			if !inTime {
				close(release)
				first = <-firstDone
			}
			if len(sl.waits()) != 1 {
				t.Errorf("second replica waited %v, want once", sl.waits())
			}
			firstMsgs, secondMsgs := messages(t, first), messages(t, second)
			if !strings.Contains(strings.Join(firstMsgs, " "), youthBOJ) {
				t.Errorf("first answer is not the turn's: %q", firstMsgs)
			}
			if inTime && second.Body.String() != first.Body.String() {
				t.Errorf("second replica answered differently:\n%s\n%s", first.Body, second.Body)
			}
			safe := safetyTexts(t)["sv"]
			if !inTime && (len(secondMsgs) != 1 || secondMsgs[0] != safe) {
				t.Errorf("second replica answered %q, want the safety reply", secondMsgs)
			}
			if v := e.conversation(resident).Version; v != 1 {
				t.Errorf("conversation version %d, want 1: one turn", v)
			}
			// A later delivery gets what the second one got.
			e.clock.Advance(time.Minute)
			later := httptest.NewRecorder()
			e.replica(st).ServeHTTP(later, signed(inboundURL, msg))
			if later.Body.String() != second.Body.String() {
				t.Errorf("later delivery answered differently:\n%s\n%s", second.Body, later.Body)
			}
		})
	}
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
}
