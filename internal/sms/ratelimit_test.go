package sms_test

import (
	"fmt"
	"slices"
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

// TestGlobalLimit sends from many senders past the global ceiling: a tenth of it (at least
// one) is kept for notices, so once the turns are spent the next senders get one notice
// each, until the notices reach their share; then nothing, until the window ends.
func TestGlobalLimit(t *testing.T) { eachStore(t, testGlobalLimit) }

func testGlobalLimit(t *testing.T, st option) {
	// 3 a minute: 2 turns and 1 notice.
	e := newEnv(t, st, limits(config.Limit{N: 30, Per: 10 * time.Minute}, config.Limit{N: 3, Per: time.Minute}))
	notice := testEngine(t).RateLimited("sv").Text
	from := func(i int) string { return fmt.Sprintf("+4670174%04d", i) }
	steps := []struct {
		sender  int
		advance time.Duration
		want    string
	}{
		{1, 0, "reply"}, {2, 0, "reply"}, // the turns
		{3, 0, "notice"}, {3, 0, "empty"}, // one notice per sender
		{4, 0, "empty"},                // the notices' share is spent
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
	for action, want := range map[string]float64{metrics.ActionNotice: 1, metrics.ActionSilent: 4} {
		if got := testutil.ToFloat64(e.metrics.RateLimited.WithLabelValues(metrics.LimitGlobal, action)); got != want {
			t.Errorf("rate limited (%s) %v, want %v", action, got, want)
		}
	}
}

// TestOneNoticePerSenderWindow: a sender gets at most one notice in a sender window,
// whichever limit it passes: one that got the notice while the global limit was reached
// gets none when it then passes its own limit, until its window ends.
func TestOneNoticePerSenderWindow(t *testing.T) { eachStore(t, testOneNoticePerSenderWindow) }

func testOneNoticePerSenderWindow(t *testing.T, st option) {
	// 2 per sender in 10 minutes; 4 a minute for all: 3 turns and 1 notice.
	e := newEnv(t, st, limits(config.Limit{N: 2, Per: 10 * time.Minute}, config.Limit{N: 4, Per: time.Minute}))
	notice := testEngine(t).RateLimited("sv").Text
	from := func(i int) string { return fmt.Sprintf("+4670174%04d", i) }
	steps := []struct {
		sender  int
		advance time.Duration
		want    string
	}{
		{1, 0, "reply"}, {2, 0, "reply"}, {3, 0, "reply"}, // the turns of the minute
		{1, 0, "notice"},              // sender 1's second message: the global notice
		{1, time.Minute, "empty"},     // its third, past its own limit: no second notice
		{1, 0, "empty"},               // and nothing after it
		{2, 0, "reply"},               // others are not limited by sender 1
		{2, 0, "notice"},              // sender 2 passes its own limit: its one notice
		{2, 0, "empty"},               //
		{1, 9 * time.Minute, "reply"}, // a new sender window for sender 1
		{1, 0, "reply"},               //
		{1, 0, "notice"},              // and a new notice when it passes its limit again
		{1, 0, "empty"},               //
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
}

// TestNoticesWithinGlobalLimit floods from many numbers, each writing past its own limit
// while the global limit is reached (500 senders once got 1,000 notices): turns and
// notices together stay within the global limit in every window, each sender gets at most
// one notice, and every notice that goes out carries 112 and both Brottsofferjouren
// numbers. When the turns are spent, the first senders still get the notice.
func TestNoticesWithinGlobalLimit(t *testing.T) { eachStore(t, testNoticesWithinGlobalLimit) }

func testNoticesWithinGlobalLimit(t *testing.T, st option) {
	const global, senders, each = 20, 50, 3
	e := newEnv(t, st, limits(config.Limit{N: 1, Per: 10 * time.Minute}, config.Limit{N: global, Per: time.Minute}))
	notice := testEngine(t).RateLimited("sv").Text
	for _, n := range []string{"112", youthBOJ, adultBOJ} {
		if !strings.Contains(notice, n) {
			t.Fatalf("notice %q lacks %s", notice, n)
		}
	}
	sid := 0
	for minute := range 3 {
		sent, notices := 0, map[int]int{}
		var order []string
		for round := range each {
			for i := range senders {
				sid++
				msg := message(sidN(sid), "Jag blev rånad")
				msg["From"] = fmt.Sprintf("+4670%03d%04d", minute, i)
				msgs := messages(t, e.do(signed(inboundURL, msg)))
				k := kind(t, msgs, notice)
				if k != "empty" {
					sent++
				}
				if k == "notice" {
					notices[i]++
				}
				if round == 0 && i < 20 {
					order = append(order, k)
				}
			}
		}
		if sent > global {
			t.Errorf("minute %d: %d answers (turns and notices), want at most %d", minute, sent, global)
		}
		for i, n := range notices {
			if n > 1 {
				t.Errorf("minute %d: sender %d got %d notices, want at most 1", minute, i, n)
			}
		}
		// The first 18 senders get turns; the next two still get the numbers.
		want := append(slices.Repeat([]string{"reply"}, global-2), "notice", "notice")
		if !slices.Equal(order, want) {
			t.Errorf("minute %d: first answers %v, want %v", minute, order, want)
		}
		e.clock.Advance(time.Minute)
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
