package sms_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/testkit"
)

// callback is one status callback Twilio posts: to which replica, and what.
type callback struct {
	sid, status, code string
	replica           bool // to the second replica on the same store
	forged            bool // signed with another auth token: refused with 403
}

// statusParams are the form fields of Twilio's status callback for a message trygg sent.
func statusParams(c callback) map[string]string {
	p := map[string]string{
		"SmsSid": c.sid, "SmsStatus": c.status, "MessageStatus": c.status, "MessageSid": c.sid,
		"AccountSid": testSID, "From": trygNumber, "To": resident, "ApiVersion": "2010-04-01",
	}
	if c.code != "" {
		p["ErrorCode"] = c.code
	}
	return p
}

// hookCalls records what the Status hook was told.
type hookCalls struct {
	mu    sync.Mutex
	calls []string
}

func (h *hookCalls) status(_ context.Context, sid, status, code string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, sid[len(sid)-2:]+" "+status+code)
	return nil
}

// TestStatusCountedOnce: each status of a message is counted once, in the metrics, the
// daily statistics and the Status hook (the alert cards), however often Twilio sends it
// and to whichever replica; the first final status wins, so a message is never counted
// both delivered and failed. Every callback is signed as Twilio signs it.
func TestStatusCountedOnce(t *testing.T) {
	a, b := sidN(0xa1), sidN(0xb2)
	type count struct {
		status, code string
		want         float64
	}
	tests := []struct {
		name      string
		callbacks []callback
		// hook is what the Status hook is told, "<last two of the sid> <status><code>".
		hook []string
		// metrics are counts of SMSStatus; failed and undelivered are the daily counters.
		metrics             []count
		failed, undelivered int64
		// storeDown fails every Remember: callbacks are counted as if new.
		storeDown bool
	}{
		{
			name:      "queued, sent, delivered",
			callbacks: []callback{{sid: a, status: "queued"}, {sid: a, status: "sent"}, {sid: a, status: "delivered"}},
			hook:      []string{"a1 queued", "a1 sent", "a1 delivered"},
			metrics:   []count{{"queued", "none", 1}, {"sent", "none", 1}, {"delivered", "none", 1}},
		},
		{
			name:      "delivered repeated",
			callbacks: []callback{{sid: a, status: "sent"}, {sid: a, status: "delivered"}, {sid: a, status: "delivered"}, {sid: a, status: "delivered"}},
			hook:      []string{"a1 sent", "a1 delivered"},
			metrics:   []count{{"sent", "none", 1}, {"delivered", "none", 1}},
		},
		{
			name:      "delivered repeated to the other replica",
			callbacks: []callback{{sid: a, status: "delivered"}, {sid: a, status: "delivered", replica: true}},
			hook:      []string{"a1 delivered"},
			metrics:   []count{{"delivered", "none", 1}},
		},
		{
			name:        "undelivered repeated",
			callbacks:   []callback{{sid: a, status: "undelivered", code: "30003"}, {sid: a, status: "undelivered", code: "30003", replica: true}, {sid: a, status: "undelivered", code: "30003"}},
			hook:        []string{"a1 undelivered30003"},
			metrics:     []count{{"undelivered", "30003", 1}},
			undelivered: 1,
		},
		{
			name:      "failed after delivered: delivered stands",
			callbacks: []callback{{sid: a, status: "delivered"}, {sid: a, status: "failed", code: "30008"}},
			hook:      []string{"a1 delivered"},
			metrics:   []count{{"delivered", "none", 1}, {"failed", "30008", 0}},
		},
		{
			name:        "delivered after undelivered: undelivered stands",
			callbacks:   []callback{{sid: a, status: "undelivered", code: "30005"}, {sid: a, status: "delivered", replica: true}},
			hook:        []string{"a1 undelivered30005"},
			metrics:     []count{{"undelivered", "30005", 1}, {"delivered", "none", 0}},
			undelivered: 1,
		},
		{
			name:        "failed after undelivered: counted as undelivered only",
			callbacks:   []callback{{sid: a, status: "undelivered", code: "30003"}, {sid: a, status: "failed", code: "30003"}},
			hook:        []string{"a1 undelivered30003"},
			metrics:     []count{{"undelivered", "30003", 1}, {"failed", "30003", 0}},
			undelivered: 1,
		},
		{
			name:      "sent after delivered, out of order: both counted once",
			callbacks: []callback{{sid: a, status: "delivered"}, {sid: a, status: "sent"}, {sid: a, status: "sent", replica: true}},
			hook:      []string{"a1 delivered", "a1 sent"},
			metrics:   []count{{"delivered", "none", 1}, {"sent", "none", 1}},
		},
		{
			name:      "forged repeat of a failure after delivered",
			callbacks: []callback{{sid: a, status: "delivered"}, {sid: a, status: "failed", code: "30008", forged: true}},
			hook:      []string{"a1 delivered"},
			metrics:   []count{{"delivered", "none", 1}, {"failed", "30008", 0}},
		},
		{
			name:      "store down: counted as new",
			callbacks: []callback{{sid: a, status: "delivered"}, {sid: a, status: "delivered"}},
			hook:      []string{"a1 delivered", "a1 delivered"},
			metrics:   []count{{"delivered", "none", 2}},
			storeDown: true,
		},
		{
			name:      "two messages",
			callbacks: []callback{{sid: a, status: "delivered"}, {sid: b, status: "failed", code: "30006"}, {sid: b, status: "failed", code: "30006"}, {sid: a, status: "delivered", replica: true}},
			hook:      []string{"a1 delivered", "b2 failed30006"},
			metrics:   []count{{"delivered", "none", 1}, {"failed", "30006", 1}},
			failed:    1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := &hookCalls{}
			withHook := func(c *sms.Config, _ *conversation.Config) { c.Hooks.Status = calls.status }
			e := newEnv(t, withHook)
			replica, other := e.build(withHook)
			if tt.storeDown {
				e.store.fail = func(op string) behaviour {
					if op == "remember" {
						return failing
					}
					return pass
				}
			}
			for _, c := range tt.callbacks {
				r, want := signed(statusURL, statusParams(c)), http.StatusNoContent
				if c.forged {
					r, want = post(statusURL, statusParams(c), testkit.TwilioSignature(otherToken, statusURL, statusParams(c))), http.StatusForbidden
				}
				w := httptest.NewRecorder()
				if c.replica {
					other.ServeHTTP(w, r)
				} else {
					e.http.ServeHTTP(w, r)
				}
				if w.Code != want {
					t.Fatalf("%+v: status %d, want %d", c, w.Code, want)
				}
			}
			if !slices.Equal(calls.calls, tt.hook) {
				t.Errorf("hook told %q, want %q", calls.calls, tt.hook)
			}
			for _, m := range tt.metrics {
				if got := testutil.ToFloat64(e.metrics.SMSStatus.WithLabelValues(m.status, m.code)); got != m.want {
					t.Errorf("metric %s/%s = %v, want %v", m.status, m.code, got, m.want)
				}
			}
			day := conversation.Day(e.clock.Now())
			for _, h := range []*sms.Handler{e.handler, replica} {
				if err := sms.Tally(h).Flush(context.Background(), e.mem); err != nil {
					t.Fatal(err)
				}
			}
			counts, err := e.mem.Counts(context.Background(), day, day)
			if err != nil {
				t.Fatal(err)
			}
			if got := counts[sms.CounterStatusPrefix+"failed"]; got != tt.failed {
				t.Errorf("daily failed = %d, want %d", got, tt.failed)
			}
			if got := counts[sms.CounterStatusPrefix+"undelivered"]; got != tt.undelivered {
				t.Errorf("daily undelivered = %d, want %d", got, tt.undelivered)
			}
		})
	}
}
