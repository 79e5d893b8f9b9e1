package sms_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
)

// TestStatusCallbackWhatsApp checks the status callbacks of WhatsApp messages on the shared
// route: counted under the channel "whatsapp" (sent, delivered, read, failed), each once,
// never as SMS, and passed to the Delivery hook with the address they went to.
func TestStatusCallbackWhatsApp(t *testing.T) {
	type call struct{ sid, status, code, to string }
	var calls []call
	hook := func(c *sms.Config, _ *conversation.Config) {
		c.Hooks.Delivery = func(_ context.Context, sid, status, code, to string) error {
			calls = append(calls, call{sid, status, code, to})
			return nil
		}
	}
	e := newEnv(t, hook)
	to := "whatsapp:" + resident
	cb := func(sid, status, code string) map[string]string {
		p := map[string]string{"MessageSid": sid, "MessageStatus": status, "AccountSid": testSID, "To": to, "From": "whatsapp:" + trygNumber, "ChannelPrefix": "whatsapp"}
		if code != "" {
			p["ErrorCode"] = code
		}
		return p
	}
	for _, p := range []map[string]string{
		cb(sidN(1), "sent", ""), cb(sidN(1), "delivered", ""), cb(sidN(1), "read", ""), cb(sidN(1), "read", ""),
		cb(sidN(2), "failed", "63016"),
	} {
		if w := e.do(signed(statusURL, p)); w.Code != http.StatusNoContent {
			t.Fatalf("status %d, want 204", w.Code)
		}
	}
	for _, c := range []struct {
		status, code string
		want         float64
	}{
		{"sent", "none", 1}, {"delivered", "none", 1}, {"read", "none", 1}, {"failed", "63016", 1},
	} {
		if got := testutil.ToFloat64(e.metrics.TwilioStatus.WithLabelValues(metrics.ChannelWhatsApp, c.status, c.code)); got != c.want {
			t.Errorf("whatsapp %s %s: %v, want %v", c.status, c.code, got, c.want)
		}
		if got := testutil.ToFloat64(e.metrics.SMSStatus.WithLabelValues(c.status, c.code)); got != 0 {
			t.Errorf("a WhatsApp callback counted as SMS: %s %v", c.status, got)
		}
	}
	if len(calls) != 4 || calls[3] != (call{sidN(2), "failed", "63016", to}) {
		t.Errorf("Delivery hook calls %+v", calls)
	}
	if err := sms.Tally(e.handler).Flush(context.Background(), e.mem); err != nil {
		t.Fatal(err)
	}
	day := conversation.Day(e.clock.Now())
	counts, err := e.mem.Counts(context.Background(), day, day)
	if err != nil {
		t.Fatal(err)
	}
	if counts[sms.CounterWhatsAppStatusPrefix+"failed"] != 1 || counts[sms.CounterStatusPrefix+"failed"] != 0 {
		t.Errorf("daily counts %v, want one whatsapp_status:failed", counts)
	}
}
