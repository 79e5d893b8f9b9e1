package sms_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
)

// TestDefaultsFitTheBudget checks that the default timeouts of the steps before, during and
// after the turn add up to less than the 2 s in which a resident gets an answer.
func TestDefaultsFitTheBudget(t *testing.T) {
	if sum := 2*sms.DefaultStoreTimeout + conversation.DefaultTimeout; sum >= sms.DefaultReplyWithin {
		t.Errorf("store steps and turn take up to %v, not within %v", sum, sms.DefaultReplyWithin)
	}
	if sms.DefaultReplyWithin > 2*time.Second {
		t.Errorf("DefaultReplyWithin %v is more than 2 s", sms.DefaultReplyWithin)
	}
}

// TestFailSafe breaks the store in every step the channel relies on, by errors and by
// hanging (ignoring the context, like a lost connection). Each time the resident gets the
// safety reply in their language with 200, never a 5xx, within the injected timeouts, and
// the failure is counted.
func TestFailSafe(t *testing.T) {
	// Injected timeouts: the store steps and the turn give up long before 2 s.
	const storeTimeout, turnTimeout = 20 * time.Millisecond, 50 * time.Millisecond
	fast := func(c *sms.Config, cc *convConfig) {
		c.StoreTimeout = storeTimeout
		cc.Timeout = turnTimeout
	}
	safe := safetyTexts(t)
	tests := []struct {
		name   string
		op     string // the store operation that breaks; "*" for all
		how    behaviour
		text   string
		lang   string
		result string // counted in SMSIn
		stage  string // counted in TurnFailures
		opts   []option
	}{
		{"processed-once check errors", "remember", failing, "Jag blev rånad", "sv", metrics.ResultFailed, metrics.StageAdmit, nil},
		{"processed-once check hangs", "remember", hanging, "I was robbed", "en", metrics.ResultFailed, metrics.StageAdmit, nil},
		{"rate limit errors", "hit", failing, "Minut on ryöstetty", "fi", metrics.ResultFailed, metrics.StageAdmit, nil},
		{"rate limit hangs", "hit", hanging, "Jag blev rånad", "sv", metrics.ResultFailed, metrics.StageAdmit, nil},
		{"loading the conversation errors", "load", failing, "I was robbed", "en", metrics.ResultDegraded, metrics.StageTurn, nil},
		{"loading the conversation hangs", "load", hanging, "Jag blev rånad", "sv", metrics.ResultDegraded, metrics.StageTurn, nil},
		{"saving the conversation errors", "save", failing, "Jag blev rånad", "sv", metrics.ResultDegraded, metrics.StageTurn, nil},
		{"saving the conversation hangs", "save", hanging, "I was robbed", "en", metrics.ResultDegraded, metrics.StageTurn, nil},
		{"everything errors", "*", failing, "Jag blev rånad", "sv", metrics.ResultFailed, metrics.StageAdmit, nil},
		{"everything hangs", "*", hanging, "I was robbed", "en", metrics.ResultFailed, metrics.StageAdmit, nil},
		{
			"a turn slower than ReplyWithin", "load", hanging, "Jag blev rånad", "sv", metrics.ResultDegraded, metrics.StageTurn,
			[]option{func(c *sms.Config, cc *convConfig) { c.ReplyWithin = 100 * time.Millisecond; cc.Timeout = time.Minute }},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, append([]option{fast}, tt.opts...)...)
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			e.store.release = release
			e.store.fail = func(op string) behaviour {
				if tt.op == "*" || tt.op == op {
					return tt.how
				}
				return pass
			}
			start := time.Now()
			w := e.do(signed(inboundURL, message(sidN(1), tt.text)))
			elapsed := time.Since(start)
			if w.Code >= 500 {
				t.Fatalf("status %d to Twilio", w.Code)
			}
			msgs := messages(t, w)
			if len(msgs) != 1 || msgs[0] != safe[tt.lang] {
				t.Errorf("replies %q, want the %s safety reply %q", msgs, tt.lang, safe[tt.lang])
			}
			if elapsed >= sms.DefaultReplyWithin {
				t.Errorf("answered after %v, promised within %v", elapsed, sms.DefaultReplyWithin)
			}
			if n := testutil.ToFloat64(e.metrics.SMSIn.WithLabelValues(tt.result)); n != 1 {
				t.Errorf("SMSIn{%s} = %v, want 1", tt.result, n)
			}
			if n := testutil.ToFloat64(e.metrics.TurnFailures.WithLabelValues("sms", tt.stage)); n < 1 {
				t.Errorf("TurnFailures{%s} = %v, want at least 1", tt.stage, n)
			}
			e.checkLogs(tt.text)
		})
	}
}

// TestFailSafeRetry checks that a message first answered with the safety reply because the
// store failed gets the same reply when Twilio delivers it again after the store is back,
// instead of a turn that would answer it twice.
func TestFailSafeRetry(t *testing.T) {
	e := newEnv(t)
	failSave := true
	e.store.fail = func(op string) behaviour {
		if op == "save" && failSave {
			return failing
		}
		return pass
	}
	req := func() *http.Request { return signed(inboundURL, message(sidN(1), "Jag blev rånad")) }
	first := e.do(req())
	failSave = false
	e.clock.Advance(time.Minute)
	second := e.do(req())
	if first.Body.String() != second.Body.String() {
		t.Errorf("repeated delivery answered differently:\n%s\n%s", first.Body, second.Body)
	}
	if v := e.conversation(resident).Version; v != 0 {
		t.Errorf("conversation version %d, want 0: the repeated delivery ran a turn", v)
	}
}
