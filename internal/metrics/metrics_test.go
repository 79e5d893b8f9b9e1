package metrics_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vasteras/trygg/internal/metrics"
)

// TestHandlerServesOwnRegistry checks that /metrics shows this Metrics' counters, starting
// at zero, and that two Metrics do not share counts (no global registry).
func TestHandlerServesOwnRegistry(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.SMSIn.WithLabelValues(metrics.ResultAnswered).Add(3)
	a.SignatureFailures.WithLabelValues("/twilio/sms").Inc()

	get := func(m *metrics.Metrics) string {
		srv := httptest.NewServer(m.Handler())
		defer srv.Close()
		res, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		return string(body)
	}
	ta, tb := get(a), get(b)
	for _, want := range []string{
		`trygg_sms_messages_in_total{channel="sms",result="answered"} 3`,
		`trygg_sms_messages_in_total{channel="sms",result="degraded"} 0`,
		`trygg_webhook_signature_failures_total{route="/twilio/sms"} 1`,
		`trygg_turn_failures_total{channel="sms",stage="turn"} 0`,
		"go_goroutines",
	} {
		if !strings.Contains(ta, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !strings.Contains(tb, `trygg_sms_messages_in_total{channel="sms",result="answered"} 0`) {
		t.Error("a second Metrics shares the first one's counts")
	}
}
