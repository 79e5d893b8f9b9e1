package sms_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
)

// limits sets the per-sender and global limits.
func limits(sender, global config.Limit) option {
	return func(c *sms.Config, _ *convConfig) { c.SenderLimit, c.GlobalLimit = sender, global }
}

// kind names an answer for the tables: "reply" (a turn ran), "notice" or "empty".
func kind(t *testing.T, msgs []string, notice string) string {
	t.Helper()
	switch {
	case len(msgs) == 0:
		return "empty"
	case len(msgs) == 1 && msgs[0] == notice:
		return "notice"
	}
	return "reply"
}

// TestSenderLimit sends more than a sender's limit allows, with an injected clock: past
// the limit comes exactly one notice with the numbers, then empty TwiML (nothing sent, no
// cost), until the window ends.
func TestSenderLimit(t *testing.T) { eachStore(t, testSenderLimit) }

func testSenderLimit(t *testing.T, st option) {
	e := newEnv(t, st, limits(config.Limit{N: 3, Per: 10 * time.Minute}, config.Limit{N: 600, Per: time.Minute}))
	notice := testEngine(t).RateLimited("sv").Text
	for _, n := range []string{"112", youthBOJ, adultBOJ} {
		if !strings.Contains(notice, n) {
			t.Fatalf("notice %q lacks %s", notice, n)
		}
	}
	steps := []struct {
		advance time.Duration
		want    string
	}{
		{0, "reply"}, {time.Minute, "reply"}, {time.Minute, "reply"},
		{time.Minute, "notice"}, {time.Minute, "empty"}, {time.Minute, "empty"},
		{5*time.Minute - time.Second, "empty"}, // 9:59 after the first message
		{time.Second, "reply"},                 // a new window
	}
	for i, s := range steps {
		e.clock.Advance(s.advance)
		msgs := messages(t, e.do(signed(inboundURL, message(sidN(i+1), "Jag blev rånad"))))
		if got := kind(t, msgs, notice); got != s.want {
			t.Errorf("message %d: %s %q, want %s", i+1, got, msgs, s.want)
		}
	}
	if v := e.conversation(resident).Version; v != 4 {
		t.Errorf("conversation version %d, want 4: no turn past the limit", v)
	}
	for action, want := range map[string]float64{metrics.ActionNotice: 1, metrics.ActionSilent: 3} {
		if got := testutil.ToFloat64(e.metrics.RateLimited.WithLabelValues(metrics.LimitSender, action)); got != want {
			t.Errorf("rate limited (%s) %v, want %v", action, got, want)
		}
	}

	// Another sender is not limited by this one.
	other := message(sidN(100), "Jag blev rånad")
	other["From"] = "+46701740606"
	if got := kind(t, messages(t, e.do(signed(inboundURL, other))), notice); got != "reply" {
		t.Errorf("other sender got %s", got)
	}
}

// TestSenderLimitNoticeLanguage checks that the notice comes in the language the message
// seems to be in.
func TestSenderLimitNoticeLanguage(t *testing.T) { eachStore(t, testSenderLimitNoticeLanguage) }

func testSenderLimitNoticeLanguage(t *testing.T, st option) {
	e := newEnv(t, st, limits(config.Limit{N: 1, Per: time.Minute}, config.Limit{N: 600, Per: time.Minute}))
	messages(t, e.do(signed(inboundURL, message(sidN(1), "hello"))))
	msgs := messages(t, e.do(signed(inboundURL, message(sidN(2), "I was robbed, please help"))))
	if want := testEngine(t).RateLimited("en").Text; len(msgs) != 1 || msgs[0] != want {
		t.Errorf("notice %q, want the English one %q", msgs, want)
	}
}

// TestGlobalLimit sends from many senders past the global ceiling: each further sender gets
// one notice, and the notices themselves stop at the ceiling (SMS pumping uses many
// numbers), until the window ends.
func TestGlobalLimit(t *testing.T) { eachStore(t, testGlobalLimit) }

func testGlobalLimit(t *testing.T, st option) {
	e := newEnv(t, st, limits(config.Limit{N: 30, Per: 10 * time.Minute}, config.Limit{N: 2, Per: time.Minute}))
	notice := testEngine(t).RateLimited("sv").Text
	from := func(i int) string { return fmt.Sprintf("+4670174%04d", i) }
	steps := []struct {
		sender  int
		advance time.Duration
		want    string
	}{
		{1, 0, "reply"}, {2, 0, "reply"}, // the ceiling
		{3, 0, "notice"}, {3, 0, "empty"}, // one notice per sender
		{4, 0, "notice"},               // the second notice: notices reach the ceiling
		{5, 0, "empty"},                // no more notices this window
		{1, 59 * time.Second, "empty"}, // earlier senders are limited too
		{5, time.Second, "reply"},      // a new window
	}
	for i, s := range steps {
		e.clock.Advance(s.advance)
		msg := message(sidN(i+1), "Jag blev rånad")
		msg["From"] = from(s.sender)
		msgs := messages(t, e.do(signed(inboundURL, msg)))
		if got := kind(t, msgs, notice); got != s.want {
			t.Errorf("step %d (sender %d): %s %q, want %s", i+1, s.sender, got, msgs, s.want)
		}
	}
	for action, want := range map[string]float64{metrics.ActionNotice: 2, metrics.ActionSilent: 3} {
		if got := testutil.ToFloat64(e.metrics.RateLimited.WithLabelValues(metrics.LimitGlobal, action)); got != want {
			t.Errorf("rate limited (%s) %v, want %v", action, got, want)
		}
	}
}

// TestLimitedRepeat checks that a repeated delivery of a limited message gets the same
// answer, and is not counted again.
func TestLimitedRepeat(t *testing.T) { eachStore(t, testLimitedRepeat) }

func testLimitedRepeat(t *testing.T, st option) {
	e := newEnv(t, st, limits(config.Limit{N: 1, Per: 10 * time.Minute}, config.Limit{N: 600, Per: time.Minute}))
	messages(t, e.do(signed(inboundURL, message(sidN(1), "Hej"))))
	limited := message(sidN(2), "Hej igen")
	first := e.do(signed(inboundURL, limited))
	e.clock.Advance(time.Minute)
	again := e.do(signed(inboundURL, limited))
	if first.Body.String() != again.Body.String() {
		t.Errorf("repeat of a limited message answered differently:\n%s\n%s", first.Body, again.Body)
	}
	if len(messages(t, again)) != 1 {
		t.Errorf("repeat of the notice: %q, want the notice again", again.Body)
	}
	if got := testutil.ToFloat64(e.metrics.RateLimited.WithLabelValues(metrics.LimitSender, metrics.ActionNotice)); got != 1 {
		t.Errorf("notices %v, want 1", got)
	}
}
