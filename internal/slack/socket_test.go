package slack

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// acks records Socket Mode acknowledgements.
type acks struct {
	mu  sync.Mutex
	got map[string][]byte // envelope id → payload JSON ("null" for none)
}

func (a *acks) Ack(req socketmode.Request, payload ...any) error {
	var p any
	if len(payload) > 0 {
		p = payload[0]
	}
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.got == nil {
		a.got = map[string][]byte{}
	}
	if _, twice := a.got[req.EnvelopeID]; twice {
		return nil
	}
	a.got[req.EnvelopeID] = b
	return nil
}

func (a *acks) of(envelope string) ([]byte, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	b, ok := a.got[envelope]
	return b, ok
}

// socketCommand is a slash command as Socket Mode delivers it: the JSON payload in an
// envelope, decoded the way socketmode.Client decodes it.
func socketCommand(t *testing.T, envelope, text, responseURL string) socketmode.Event {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": testTeam, "team_domain": "vasteras",
		"channel_id": testChannel, "channel_name": "trygg", "user_id": testStaff, "user_name": "anna",
		"command": "/trygg", "text": text, "api_app_id": "A0TRYGG", "is_enterprise_install": "false",
		"response_url": responseURL, "trigger_id": "1.2.3",
	})
	var cmd slackapi.SlashCommand
	if err := json.Unmarshal(payload, &cmd); err != nil {
		t.Fatal(err)
	}
	return socketmode.Event{Type: socketmode.EventTypeSlashCommand, Data: cmd, Request: &socketmode.Request{
		Type: socketmode.RequestTypeSlashCommands, EnvelopeID: envelope, Payload: payload, AcceptsResponsePayload: true,
	}}
}

// socketEvent is an Events API event as Socket Mode delivers it.
func socketEvent(t *testing.T, envelope string, body []byte) socketmode.Event {
	t.Helper()
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatal(err)
	}
	return socketmode.Event{Type: socketmode.EventTypeEventsAPI, Data: ev, Request: &socketmode.Request{
		Type: socketmode.RequestTypeEventsAPI, EnvelopeID: envelope, Payload: body,
	}}
}

// TestSocketModeDispatch: over Socket Mode the same commands and events work, answered
// through the acknowledgement and chat.postMessage, with no HTTP endpoint involved.
func TestSocketModeDispatch(t *testing.T) {
	h := newHarness(t, nil)
	a := &acks{}
	ctx := context.Background()

	h.bot.Dispatch(ctx, a, socketCommand(t, "env-ask", "fråga Jag är 16 och blev rånad", h.hooks.URL()))
	payload, ok := a.of("env-ask")
	if !ok {
		t.Fatal("the command was not acknowledged")
	}
	assertClean(t, payload)
	text := renderText(decodeResponse(t, payload).Blocks.BlockSet)
	if !strings.Contains(text, "010-567 63 25") || strings.Contains(text, "021-41 32 60") {
		t.Errorf("ack payload:\n%s", text)
	}

	m := mention{EventID: "Ev0SOCKET", Text: "<@U0TRYGG> Jag är 16 och blev rånad", TS: "1763283600.000100"}
	h.bot.Dispatch(ctx, a, socketEvent(t, "env-event-1", m.body()))
	h.bot.Dispatch(ctx, a, socketEvent(t, "env-event-2", m.body())) // redelivered: same event_id
	h.bot.Wait()
	for _, env := range []string{"env-event-1", "env-event-2"} {
		if p, ok := a.of(env); !ok || string(p) != "null" {
			t.Errorf("%s: acknowledged %v with %s, want an empty ack", env, ok, p)
		}
	}
	posts := h.api.Posts()
	if len(posts) != 1 || posts[0].ThreadTS != m.TS {
		t.Fatalf("posts %+v, want one answer in the thread", posts)
	}
	assertClean(t, posts[0].Blocks)

	interactive := socketmode.Event{Type: socketmode.EventTypeInteractive, Data: slackapi.InteractionCallback{
		Type: slackapi.InteractionTypeBlockActions, Team: slackapi.Team{ID: testTeam}, Channel: slackapi.Channel{GroupConversation: slackapi.GroupConversation{Conversation: slackapi.Conversation{ID: testChannel}}},
	}, Request: &socketmode.Request{Type: socketmode.RequestTypeInteractive, EnvelopeID: "env-click"}}
	h.bot.Dispatch(ctx, a, interactive)
	if _, ok := a.of("env-click"); !ok {
		t.Error("the interaction was not acknowledged")
	}

	// Connection events need no ack and do nothing.
	for _, typ := range []socketmode.EventType{socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello, socketmode.EventTypeInvalidAuth, socketmode.EventTypeConnectionError} {
		h.bot.Dispatch(ctx, a, socketmode.Event{Type: typ})
	}
	if n := len(h.api.Posts()); n != 1 {
		t.Errorf("%d posts after connection events, want 1", n)
	}
}

// TestSocketModeSlowAndBusy: a slow command is acknowledged empty and answered at the
// response_url; an event that finds every worker taken is not acknowledged, so Slack
// delivers it again.
func TestSocketModeSlowAndBusy(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, func(c *Config) {
		c.MaxInFlight = 1
		c.InlineWait = time.Millisecond
		c.Stats = slowStats{Stats: c.Stats, release: release}
	})
	a := &acks{}
	ctx := context.Background()
	h.bot.Dispatch(ctx, a, socketCommand(t, "env-stats", "statistik", h.hooks.URL()))
	if p, ok := a.of("env-stats"); !ok || string(p) != "null" {
		t.Fatalf("slow command acknowledged %v with %s, want an empty ack", ok, p)
	}
	h.bot.Dispatch(ctx, a, socketEvent(t, "env-busy", mention{EventID: "Ev0BUSY", Text: "<@U0TRYGG> hej", TS: "1.1"}.body()))
	if _, ok := a.of("env-busy"); ok {
		t.Error("an event was acknowledged while no worker could take it")
	}
	close(release)
	if body := h.hooks.next(t); !strings.Contains(string(body), "samtal") {
		t.Errorf("response_url got %s", body)
	}
}
