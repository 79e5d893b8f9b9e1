package slack

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestMentionIsAnsweredOnceInItsThread: Slack delivers an event again when the answer
// is late; the same event_id gets one answer, in the mention's thread.
func TestMentionIsAnsweredOnceInItsThread(t *testing.T) {
	h := newHarness(t, nil)
	m := mention{EventID: "Ev0TWICE", Text: "<@U0TRYGG> Jag är 16 och blev rånad", TS: "1763283600.000100"}
	if w := h.event(t, m.body()); w.Code != http.StatusOK {
		t.Fatalf("first delivery: %d", w.Code)
	}
	if w := h.event(t, m.body(), "X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout"); w.Code != http.StatusOK {
		t.Fatalf("retry: %d", w.Code)
	}
	posts := h.api.Posts()
	if len(posts) != 1 {
		t.Fatalf("%d answers, want 1", len(posts))
	}
	p := posts[0]
	if p.Channel != testChannel || p.ThreadTS != m.TS {
		t.Errorf("answered in %s thread %q, want %s thread %s", p.Channel, p.ThreadTS, testChannel, m.TS)
	}
	if p.Text == "" {
		t.Error("no notification text")
	}
	assertClean(t, p.Blocks)
	text := renderText(decodeBlocks(t, p.Blocks))
	if !strings.Contains(text, "010-567 63 25") || strings.Contains(text, "021-41 32 60") {
		t.Errorf("wrong number for a 16-year-old:\n%s", text)
	}
	if strings.Contains(text, "U0TRYGG") {
		t.Errorf("the mention itself was taken as the resident's words:\n%s", text)
	}

	// A new event in the thread continues the conversation kept under the thread.
	conv, err := h.store.Load(context.Background(), testScope(testChannel, m.TS))
	if err != nil || conv.Version != 1 {
		t.Fatalf("test conversation under the thread: version %d, %v", conv.Version, err)
	}
	h.event(t, mention{EventID: "Ev0NEXT", Text: "<@U0TRYGG> fråga MENY", TS: "1763283660.000100", ThreadTS: m.TS}.body())
	if n := len(h.api.Posts()); n != 2 {
		t.Fatalf("%d answers, want 2", n)
	}
	if conv, _ := h.store.Load(context.Background(), testScope(testChannel, m.TS)); conv.Version != 2 {
		t.Errorf("follow-up did not continue the thread's conversation: version %d", conv.Version)
	}
	// Nothing counted: test conversations are no residents.
	if counts, _ := h.store.Counts(context.Background(), "2026-01-01", "2026-12-31"); len(counts) != 0 {
		t.Errorf("mentions were counted: %v", counts)
	}
}

func TestMentionsTryggIgnores(t *testing.T) {
	rows := []struct {
		name string
		m    mention
	}{
		{"a bot", mention{EventID: "Ev0BOT", BotID: "B0OTHER", Text: "<@U0TRYGG> hej", TS: "1.1"}},
		{"trygg itself", mention{EventID: "Ev0SELF", User: testBotUser, Text: "<@U0TRYGG> hej", TS: "1.2"}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			h := newHarness(t, nil)
			if w := h.event(t, row.m.body()); w.Code != http.StatusOK {
				t.Errorf("status %d, want 200", w.Code)
			}
			if n := len(h.api.Posts()); n != 0 {
				t.Errorf("%d answers to %s, want 0", n, row.name)
			}
		})
	}
}

func TestMentionWithoutTextGetsTheUsage(t *testing.T) {
	h := newHarness(t, nil)
	h.event(t, mention{EventID: "Ev0EMPTY", Text: "<@U0TRYGG>", TS: "1.1"}.body())
	posts := h.api.Posts()
	if len(posts) != 1 || !strings.Contains(string(posts[0].Blocks), "/trygg fråga") {
		t.Fatalf("answers %+v, want the usage", posts)
	}
}

// TestRefusals: another workspace or a channel not on the list gets a polite refusal,
// whichever way it asks, and nothing else.
func TestRefusals(t *testing.T) {
	onlyTeam := func(c *Config) { c.TeamID = "T0OTHER" }
	onlyChannel := func(c *Config) { c.AllowedChannels = []string{"C0STAFF", "C0BOJ"} }
	for _, row := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"another workspace", onlyTeam, "arbetsytan"},
		{"a channel not allowed", onlyChannel, "den här kanalen"},
	} {
		t.Run(row.name+"/command", func(t *testing.T) {
			h := newHarness(t, row.edit)
			w := h.command(t, "statistik")
			assertClean(t, w.Body.Bytes())
			r := decodeResponse(t, w.Body.Bytes())
			text := renderText(r.Blocks.BlockSet)
			if !strings.Contains(text, row.want) || strings.Contains(text, "samtal") {
				t.Errorf("answer:\n%s", text)
			}
			if r.ResponseType != "ephemeral" {
				t.Errorf("refusal is %q, want ephemeral", r.ResponseType)
			}
		})
		t.Run(row.name+"/mention", func(t *testing.T) {
			h := newHarness(t, row.edit)
			h.event(t, mention{EventID: "Ev0REFUSE", Text: "<@U0TRYGG> hej", TS: "1.1"}.body())
			posts := h.api.Posts()
			if len(posts) != 1 || posts[0].ThreadTS != "1.1" {
				t.Fatalf("answers %+v, want one refusal in the thread", posts)
			}
			if text := renderText(decodeBlocks(t, posts[0].Blocks)); !strings.Contains(text, row.want) || strings.Contains(text, "Så svarar trygg") {
				t.Errorf("answer:\n%s", text)
			}
		})
	}
	t.Run("allowed channel is served", func(t *testing.T) {
		h := newHarness(t, func(c *Config) { c.TeamID = testTeam; c.AllowedChannels = []string{testChannel} })
		text := renderText(decodeResponse(t, h.command(t, "statistik").Body.Bytes()).Blocks.BlockSet)
		if !strings.Contains(text, "samtal") {
			t.Errorf("answer:\n%s", text)
		}
	})
}

// TestBusyEventsAreLeftForSlackToRetry: with every worker taken an event gets 503 and is
// not remembered, so Slack's retry is answered once a worker is free.
func TestBusyEventsAreLeftForSlackToRetry(t *testing.T) {
	release := make(chan struct{})
	h := newHarness(t, func(c *Config) {
		c.MaxInFlight = 1
		c.InlineWait = time.Millisecond
		c.Stats = slowStats{Stats: c.Stats, release: release}
	})
	h.command(t, "statistik") // holds the only worker until released
	m := mention{EventID: "Ev0BUSY", Text: "<@U0TRYGG> hej", TS: "1.1"}
	if w := h.do(signedRequest("/slack/events", "application/json", m.body())); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("event while busy: %d, want 503", w.Code)
	}
	if w := h.command(t, "hjälp"); !strings.Contains(w.Body.String(), "många frågor") {
		t.Errorf("command while busy: %q", w.Body)
	}
	close(release)
	h.hooks.next(t) // the statistics arrive at the response_url
	h.bot.Wait()
	if w := h.event(t, m.body(), "X-Slack-Retry-Num", "1"); w.Code != http.StatusOK {
		t.Fatalf("retry: %d", w.Code)
	}
	if n := len(h.api.Posts()); n != 1 {
		t.Errorf("%d answers after the retry, want 1", n)
	}
}
