package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/clock"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/lagesbild"
	"github.com/vasteras/trygg/internal/testkit"
)

const slackSecret = "app-test-signing-secret"

// newSlackApp builds trygg from env as the binary would.
func newSlackApp(t *testing.T, env map[string]string) *App {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC) }
	a, err := New(context.Background(), cfg, nil, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// slashCommand returns "/trygg <text>" as Slack posts it, signed now.
func slashCommand(text string) *http.Request {
	body := testkit.SlashCommand{Text: text}.Body()
	r := testkit.SlackRequest(slackSecret, "/slack/commands", "application/x-www-form-urlencoded", body, time.Now())
	return r
}

func serve(a *App, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	a.Server.Handler().ServeHTTP(w, r)
	return w
}

func TestSlackIsMountedWhenConfigured(t *testing.T) {
	t.Run("off", func(t *testing.T) {
		a := newSlackApp(t, nil)
		if a.Slack != nil {
			t.Error("Slack built without its variables")
		}
		if w := serve(a, slashCommand("hjälp")); w.Code != http.StatusNotFound {
			t.Errorf("/slack/commands without Slack: %d, want 404", w.Code)
		}
	})
	t.Run("socket mode mounts no routes", func(t *testing.T) {
		a := newSlackApp(t, map[string]string{"SLACK_SIGNING_SECRET": slackSecret, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
		if a.Slack == nil {
			t.Fatal("Slack not built")
		}
		if w := serve(a, slashCommand("hjälp")); w.Code != http.StatusNotFound {
			t.Errorf("/slack/commands in Socket Mode: %d, want 404", w.Code)
		}
	})
	t.Run("http", func(t *testing.T) {
		a := newSlackApp(t, map[string]string{"SLACK_SIGNING_SECRET": slackSecret, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_TEAM_ID": "T0TEAM"})
		r := slashCommand("hjälp")
		r.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64))
		if w := serve(a, r); w.Code != http.StatusUnauthorized {
			t.Errorf("forged command: %d, want 401", w.Code)
		}
		w := serve(a, slashCommand("fråga Jag är 16 och blev rånad"))
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "010-567 63 25") || strings.Contains(w.Body.String(), "021-41 32 60") {
			t.Errorf("fråga: %d %s", w.Code, w.Body)
		}

		// A resident's turn through the service is counted and shows in statistik once
		// the tally is flushed; the test question above is not counted.
		a.Service.Handle(context.Background(), conversation.Inbound{Scope: "resident-pseudonym", Text: "hej"})
		if err := a.Service.Tally().Flush(context.Background(), a.Stats); err != nil {
			t.Fatal(err)
		}
		w = serve(a, slashCommand("statistik idag"))
		if !strings.Contains(w.Body.String(), "*1 samtal*, 1 meddelande") {
			t.Errorf("statistik after one resident message: %s", w.Body)
		}
		if strings.Contains(w.Body.String(), "resident-pseudonym") {
			t.Error("a pseudonym reached Slack")
		}
	})
}

// fakeSlackAPI is the test kit's fake Slack Web API, with the count of messages posted to
// a channel.
func fakeSlackAPI(t *testing.T) (*testkit.SlackAPI, func(channel string) int) {
	t.Helper()
	f := testkit.NewSlackAPI(t, "xoxb-1")
	return f, func(channel string) int {
		n := 0
		for _, c := range f.Posts() {
			if c.Channel() == channel {
				n++
			}
		}
		return n
	}
}

// TestRunPostsTheWeeklyLagesbild: with Slack and SLACK_STAFF_CHANNEL set, Run posts the
// lägesbild on Monday 08:00 Swedish time; without the channel there is no weekly post.
func TestRunPostsTheWeeklyLagesbild(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	api, posts := fakeSlackAPI(t)
	fake := clock.NewFake(time.Date(2026, 11, 29, 20, 0, 0, 0, loc)) // Sunday evening
	env := map[string]string{
		"TRYGG_ADDR": "127.0.0.1:0", "TRYGG_METRICS_ADDR": "127.0.0.1:0", "SLACK_SIGNING_SECRET": slackSecret, "SLACK_BOT_TOKEN": "xoxb-1",
		"SLACK_STAFF_CHANNEL": "C0STAFF",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), cfg, nil, Options{Now: fake.Now, Clock: fake, SlackAPIURL: api.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if err := a.Lagesbild.Add(context.Background(), lagesbild.Event{Week: "2026-W48", Date: "2026-11-28", Area: "backby", Place: "backby", Kind: "drugs"}); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	wait, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	// Two sleepers: the weekly post and the handoff sweeper.
	if err := fake.WaitSleepers(wait, 2); err != nil {
		t.Fatal(err)
	}
	if s := fake.Sleepers(); !s[len(s)-1].Equal(time.Date(2026, 11, 30, 8, 0, 0, 0, loc)) {
		t.Errorf("the weekly post waits for %v, want Monday 08:00", s)
	}
	fake.Set(time.Date(2026, 11, 30, 8, 0, 0, 0, loc))
	if err := fake.WaitSleepers(wait, 2); err != nil {
		t.Fatal(err)
	}
	if n := posts("C0STAFF"); n != 1 {
		t.Errorf("%d posts to the staff channel, want 1", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}

	t.Run("no staff channel, no weekly post", func(t *testing.T) {
		delete(env, "SLACK_STAFF_CHANNEL")
		b := newSlackApp(t, env)
		if w, err := b.weeklyLagesbild(); w != nil || err != nil {
			t.Errorf("weekly post %v, %v without SLACK_STAFF_CHANNEL", w, err)
		}
		off := newSlackApp(t, map[string]string{"SLACK_STAFF_CHANNEL": "C0STAFF"})
		if w, err := off.weeklyLagesbild(); w != nil || err != nil {
			t.Errorf("weekly post %v, %v without Slack", w, err)
		}
	})
}
