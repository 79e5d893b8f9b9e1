package app_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/slack"
	"github.com/vasteras/trygg/internal/sms"
)

// TestSMSFiguresReachStatistik: the segments trygg's SMS replies cost and the messages
// Twilio reports failed land in the daily statistics under the names /trygg statistik reads.
func TestSMSFiguresReachStatistik(t *testing.T) {
	if sms.CounterSegments != slack.CounterSMSSegments || sms.CounterStatusPrefix+"failed" != slack.CounterSMSFailed || sms.CounterStatusPrefix+"undelivered" != slack.CounterSMSUndelivered {
		t.Fatal("the SMS channel and /trygg statistik name the SMS counters differently")
	}
	env := map[string]string{
		"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
		"TWILIO_AUTH_TOKEN":  replicaToken,
		"TRYGG_PUBLIC_URL":   replicaPublic,
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(t.Context(), cfg, nil, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a.Server.Handler())
	t.Cleanup(srv.Close)

	if status, twiml := text(t, srv, "+46701234567", newSid(), "Jag är 16 och blev rånad"); status != 200 || !strings.Contains(twiml, youthNumber) {
		t.Fatalf("webhook: %d %s", status, twiml)
	}
	callback := url.Values{"MessageSid": {newSid()}, "MessageStatus": {"failed"}, "ErrorCode": {"30003"}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/twilio/status", strings.NewReader(callback.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilioSign(replicaToken, replicaPublic+"/twilio/status", callback))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("status callback: %d", res.StatusCode)
	}
	if err := a.Service.Tally().Flush(t.Context(), a.Stats); err != nil {
		t.Fatal(err)
	}
	today := conversation.Day(time.Now())
	counts, err := a.Stats.Counts(t.Context(), today, today)
	if err != nil {
		t.Fatal(err)
	}
	if counts[sms.CounterSegments] < 1 || counts[slack.CounterSMSFailed] != 1 || counts["messages"] != 1 {
		t.Errorf("statistics = %v; want SMS segments, one failed message and one message", counts)
	}
}
