package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/grannsamverkan"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/testkit"
)

// gsSlack is the test kit's fake Web API for the alert card.
type gsSlack struct{ *testkit.SlackAPI }

func newGSSlack(t *testing.T) *gsSlack { return &gsSlack{testkit.NewSlackAPI(t, "xoxb-test")} }

// all is every call's form, to check that none holds a phone number.
func (f *gsSlack) all() string {
	var bodies []string
	for _, c := range f.Calls() {
		bodies = append(bodies, c.Form.Encode())
	}
	return strings.Join(bodies, "\n")
}

// gsHarness is the Bot with Grannsamverkan on the harness's memory store: 25 ombud in
// Bäckby, and alerts whose SMS go to a recorder.
func gsHarness(t *testing.T) (*harness, *gsSlack, *grannsamverkan.Alerts, *smsRecorder) {
	t.Helper()
	api := newGSSlack(t)
	rec := &smsRecorder{}
	var alerts *grannsamverkan.Alerts
	var h *harness
	h = newHarness(t, func(c *Config) {
		mem := c.Store.(*store.Memory)
		gs, err := grannsamverkan.New(grannsamverkan.Config{
			Records: mem, Guard: mem, Hasher: pseudonym.Random(), Now: c.Now,
			Areas: map[string]string{"backby": "Bäckby", "vallby": "Vallby"},
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for i := range 25 {
			inv, err := gs.NewInvite(ctx, "backby")
			if err != nil {
				t.Fatal(err)
			}
			scope := fmt.Sprintf("resident%d", i)
			msg := bot.Message{Text: "OMBUD " + inv.Code, Channel: "sms"}
			if err := gs.Prepare(ctx, scope, &msg); err != nil || msg.Invite != "backby" {
				t.Fatalf("Prepare: %v, invite %q", err, msg.Invite)
			}
			if err := gs.AfterTurn(ctx, fmt.Sprintf("+467055500%02d", i), scope, []bot.Event{{Kind: bot.EventOmbudJoin}}); err != nil {
				t.Fatal(err)
			}
		}
		alerts, err = grannsamverkan.NewAlerts(grannsamverkan.AlertsConfig{
			Service: gs, Records: mem, Guard: mem, Send: rec.send,
			Card: func(ctx context.Context, a grannsamverkan.Alert, n grannsamverkan.Counts) error {
				return h.bot.UpdateAlertCard(ctx, a, n)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		c.API = slackapi.New("xoxb-test", slackapi.OptionAPIURL(api.APIURL()))
		c.Grannsamverkan = gs
		c.Alerts = alerts
		c.AlertUsers = []string{testStaff}
	})
	return h, api, alerts, rec
}

// smsRecorder stands in for the SMS sender.
type smsRecorder struct {
	mu sync.Mutex
	to []string
}

func (r *smsRecorder) send(_ context.Context, to, _ string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.to = append(r.to, to)
	return fmt.Sprintf("SM%032x", len(r.to)), nil
}

// press posts a block_actions interaction for the button actionID with value, by user.
func (h *harness) press(t *testing.T, user, actionID, value string) *httptest.ResponseRecorder {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]any{"id": testTeam}, "user": map[string]any{"id": user},
		"channel": map[string]any{"id": testChannel}, "response_url": h.hooks.URL(), "trigger_id": "1.2.3",
		"actions": []any{map[string]any{"type": "button", "action_id": actionID, "block_id": "gs_alert", "value": value}},
	})
	body := []byte(url.Values{"payload": {string(payload)}}.Encode())
	w := h.do(signedRequest("/slack/interactions", "application/x-www-form-urlencoded", body))
	h.bot.Wait()
	return w
}

// TestOmbudCommands: inbjudan for a known area, refused for an unknown one; lista shows
// counts and ids, never numbers; ta bort removes.
func TestOmbudCommands(t *testing.T) {
	h, api, _, _ := gsHarness(t)
	inv := h.command(t, "ombud inbjudan bäckby").Body.Bytes()
	assertClean(t, inv)
	if !strings.Contains(string(inv), "OMBUD ") || !strings.Contains(string(inv), "2026-12-16") {
		t.Errorf("invite answer:\n%s", inv)
	}
	if got := h.command(t, "ombud inbjudan atlantis").Body.String(); !strings.Contains(got, "finns inte") {
		t.Errorf("unknown area:\n%s", got)
	}
	list := h.command(t, "ombud lista Bäckby").Body.String()
	assertClean(t, []byte(list))
	if !strings.Contains(list, "25 aktiva") || !strings.Contains(list, "O-") {
		t.Errorf("lista:\n%s", list)
	}
	id := list[strings.Index(list, "O-") : strings.Index(list, "O-")+6]
	if got := h.command(t, "ombud ta bort "+id).Body.String(); !strings.Contains(got, "borttaget") {
		t.Errorf("ta bort:\n%s", got)
	}
	if got := h.command(t, "ombud lista").Body.String(); !strings.Contains(got, "24 aktiva") {
		t.Errorf("after ta bort:\n%s", got)
	}
	assertClean(t, []byte(api.all()))
}

// TestAlertFromSlack: a user not in SLACK_ALERT_USERS is refused; the preview shows the
// exact SMS, GSM-7, segments and 25 ombud; a text over 2 segments is refused; Skicka posts
// the card, sends 25 SMS once, and the card shows the counts; nothing sent to Slack holds a
// phone number.
func TestAlertFromSlack(t *testing.T) {
	h, api, alerts, rec := gsHarness(t)
	const text = "Flera inbrott i källarförråd i natt. Ring 112 om det pågår."

	other := h.do(signedRequest("/slack/commands", "application/x-www-form-urlencoded",
		[]byte(strings.Replace(string(commandBody("larm backby "+text, h.hooks.URL())), testStaff, "U0OTHER", 1))))
	if !strings.Contains(other.Body.String(), "kan inte skicka larm") {
		t.Fatalf("user not allowed:\n%s", other.Body)
	}
	if got := h.command(t, "larm backby "+strings.Repeat("Inbrott. ", 40)).Body.String(); !strings.Contains(got, "Korta det") || strings.Contains(got, gsActionSend) {
		t.Errorf("too long:\n%s", got)
	}

	preview := h.command(t, "larm Bäckby "+text).Body.Bytes()
	assertClean(t, preview)
	r := decodeResponse(t, preview)
	var value string
	for _, b := range r.Blocks.BlockSet {
		if a, ok := b.(*slackapi.ActionBlock); ok {
			value = a.Elements.ElementSet[0].(*slackapi.ButtonBlockElement).Value
		}
	}
	for _, want := range []string{text, "GSM-7", "1 SMS-del", "25 kontaktombud"} {
		if !strings.Contains(string(preview), want) {
			t.Errorf("preview lacks %q:\n%s", want, preview)
		}
	}
	if value == "" {
		t.Fatalf("no Skicka button:\n%s", preview)
	}
	// Someone else presses Skicka: refused, nothing queued.
	if w := h.press(t, "U0OTHER", gsActionSend, value); !strings.Contains(w.Body.String(), "kan inte skicka larm") {
		t.Errorf("press by a user not allowed:\n%s", w.Body)
	}
	h.press(t, testStaff, gsActionSend, value)
	if got := string(h.hooks.next(t)); !strings.Contains(got, "skickas nu") || !strings.Contains(got, `"replace_original":true`) {
		t.Errorf("preview not replaced:\n%s", got)
	}
	h.press(t, testStaff, gsActionSend, value) // a second press sends nothing more
	if got := string(h.hooks.next(t)); !strings.Contains(got, "redan skickat") {
		t.Errorf("second press:\n%s", got)
	}
	if err := alerts.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.to) != 25 {
		t.Fatalf("sent %d SMS, want 25", len(rec.to))
	}
	all := api.all()
	if api.Count("chat.postMessage") != 1 || api.Count("chat.update") == 0 {
		t.Errorf("Slack calls: %d posts, %d updates", api.Count("chat.postMessage"), api.Count("chat.update"))
	}
	if !strings.Contains(all, "25+skickade") && !strings.Contains(all, "25 skickade") {
		t.Errorf("the card does not show 25 sent:\n%s", all)
	}
	assertClean(t, []byte(all))
}
