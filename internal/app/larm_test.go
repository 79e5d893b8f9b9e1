package app

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/vasteras/trygg/internal/testkit"
)

// TestLarmInServe starts trygg from an environment as `trygg serve` does (Twilio with a
// sending number, Slack, a staff channel, SLACK_ALERT_USERS and Redis, here miniredis),
// serves it, and drives Grannsamverkan only through the signed public routes: staff create
// two invites with /trygg ombud inbjudan, two ombud join by SMS, staff preview an alert
// with /trygg larm and press Skicka, and the fake Twilio REST API receives one SMS per
// ombud, with the alert's text. Before the app was built in tiers, /trygg larm answered
// "Grannsamverkan är inte igång här" in the running server.
func TestLarmInServe(t *testing.T) {
	mr := miniredis.RunT(t)
	e := newHandoffEnv(t, monday10, map[string]string{
		"REDIS_URL":         "redis://" + mr.Addr() + "/0",
		"SLACK_ALERT_USERS": "U0STAFF",
	})
	if e.a.Alerts == nil {
		t.Fatal("the app was built without Grannsamverkan alerts")
	}
	got := make(chan sentSMS, 8)
	e.twilio.OnCreate(func(m testkit.TwilioMessage) { got <- sentSMS{To: m.To, Body: m.Body} })

	// Served as trygg serve serves it: the alert sender runs in Serve.
	ctx, cancel := context.WithCancel(context.Background())
	public, _ := net.Listen("tcp", "127.0.0.1:0")
	private, _ := net.Listen("tcp", "127.0.0.1:0")
	served := make(chan error, 1)
	go func() { served <- e.a.Serve(ctx, public, private) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	numbers := []string{"+46701111111", "+46702222222"}
	for _, n := range numbers {
		answer := e.command("ombud inbjudan backby")
		code := regexp.MustCompile("`([A-Z0-9-]{6,})`").FindStringSubmatch(answer)
		if code == nil {
			t.Fatalf("no invite code in %q", answer)
		}
		if reply := e.sms(n, "OMBUD "+code[1]); !strings.Contains(reply, "JA") {
			t.Fatalf("OMBUD %s: %s", code[1], reply)
		}
		e.sms(n, "JA")
	}
	if list := e.command("ombud lista backby"); !strings.Contains(list, "2") {
		t.Fatalf("ombud lista: %s", list)
	}

	preview := e.command("larm backby Inbrott i Bäckby i natt. Lås dörren.")
	if strings.Contains(preview, "inte igång") {
		t.Fatalf("/trygg larm in the running app: %s", preview)
	}
	id := regexp.MustCompile(`P-[0-9A-Z]+`).FindString(preview)
	if id == "" {
		t.Fatalf("no preview to send: %s", preview)
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": "T0TEAM"}, "user": map[string]any{"id": "U0STAFF"},
		"channel": map[string]any{"id": "C0TRYGG"}, "trigger_id": "1.2.3",
		"actions": []map[string]any{{"type": "button", "action_id": "gs_alert_send", "block_id": "gs_alert", "value": id, "action_ts": "1764486200.0001"}},
	})
	e.slackSigned("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()))

	to := map[string]bool{}
	for range numbers {
		select {
		case m := <-got:
			if m.Body != "Inbrott i Bäckby i natt. Lås dörren." {
				t.Errorf("alert text %q", m.Body)
			}
			to[m.To] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("the fake Twilio got %d SMS, want one per ombud: %+v", len(to), e.twilio.Sent())
		}
	}
	for _, n := range numbers {
		if !to[n] {
			t.Errorf("no alert to ombud %s: %+v", n, e.twilio.Sent())
		}
	}
	if n := len(e.twilio.Sent()); n != len(numbers) {
		t.Errorf("the fake Twilio got %d SMS, want %d", n, len(numbers))
	}
	e.noNumbersInSlack()
}

// command runs /trygg <text> through the signed public route and returns the answer as
// Slack gets it (JSON).
func (e *handoffEnv) command(text string) string {
	e.t.Helper()
	r := slashCommand(text)
	w := serve(e.a, r)
	if w.Code != http.StatusOK {
		e.t.Fatalf("/trygg %s: %d %s", text, w.Code, w.Body)
	}
	e.settle()
	return w.Body.String()
}
