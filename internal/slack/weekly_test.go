package slack

import (
	"context"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/internal/clock"
	"github.com/vasteras/trygg/internal/lagesbild"
	"github.com/vasteras/trygg/internal/store"
)

const testStaffChannel = "C0STAFF"

// replicas are trygg processes sharing one store and one lägesbild, each with its own Bot
// and weekly post, on one fake clock and one fake Slack API.
type replicas struct {
	t     *testing.T
	loc   *time.Location
	clock *clock.Fake
	store *store.Memory
	reps  *lagesbild.Memory
	api   *fakeAPI
	stops []func()
}

// newReplicas starts at start, with reports in weeks 47 to 49 of 2026.
func newReplicas(t *testing.T, start time.Time) *replicas {
	t.Helper()
	fake := clock.NewFake(start)
	r := &replicas{t: t, loc: start.Location(), clock: fake, store: store.NewMemory(fake.Now), reps: lagesbild.NewMemory(0, fake.Now), api: newFakeAPI(t)}
	for _, e := range []lagesbild.Event{
		report("2026-11-17", "centrum", "resecentrum", "drugs", "night", "weekday"),
		report("2026-11-24", "backby", "backby", "drugs", "evening", "weekday"),
		report("2026-11-25", "backby", "backby", "drugs", "evening", "weekday"),
		report("2026-11-28", "backby", "backby", "gathering", "evening", "weekend"),
		report("2026-11-29", "vallby", "vallby", "dark", "night", "weekend"),
		report("2026-12-02", "raby", "raby", "harassment", "day", "weekday"),
	} {
		if err := r.reps.Add(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, stop := range r.stops {
			stop()
		}
	})
	return r
}

// start runs one more replica's weekly post; the returned func stops it (a replica going
// away) and waits until it has.
func (r *replicas) start(owner string) func() {
	r.t.Helper()
	b, err := New(Config{
		Engine:        newEngine(r.t),
		Store:         r.store,
		API:           slackapi.New("xoxb-test", slackapi.OptionAPIURL(r.api.APIURL())),
		SigningSecret: testSigningSecret,
		Now:           r.clock.Now,
		Lagesbild:     r.reps,
		Names:         testNames,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	w, err := lagesbild.NewWeekly(lagesbild.WeeklyConfig{
		Guard: r.store,
		Post: func(ctx context.Context, week string) error {
			return b.PostLagesbild(ctx, testStaffChannel, week)
		},
		Clock:    r.clock,
		Location: r.loc,
		Owner:    owner,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			r.t.Errorf("%s: %v", owner, err)
		}
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	r.stops = append(r.stops, stop)
	return stop
}

// at moves the clock to hh:mm on the day of the start (or to t) and waits until n replicas
// have done what was due and sleep again.
func (r *replicas) at(t time.Time, n int) {
	r.t.Helper()
	r.clock.Set(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.clock.WaitSleepers(ctx, n); err != nil {
		r.t.Fatalf("at %s: %v", t.Format("Mon 15:04"), err)
	}
}

// summaries returns the weekly summaries posted to the staff channel (not thread replies).
func (r *replicas) summaries() []post {
	var out []post
	for _, p := range r.api.Posts() {
		if p.Channel == testStaffChannel && p.ThreadTS == "" {
			out = append(out, p)
		}
	}
	return out
}

func TestWeeklyPostOnceAcrossReplicas(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, loc)
	min := func(m int) time.Time { return monday.Add(time.Duration(m) * time.Minute) }

	t.Run("two replicas cross Monday 08:00: one post, with its chart", func(t *testing.T) {
		r := newReplicas(t, min(-1))
		stopA := r.start("a")
		r.start("b")
		r.at(min(-1), 2)
		for _, s := range r.clock.Sleepers() {
			if !s.Equal(monday) {
				t.Errorf("a replica sleeps until %s, want Monday 08:00", s.In(loc).Format(time.RFC3339))
			}
		}
		r.at(min(0), 2)
		posts := r.summaries()
		if len(posts) != 1 {
			t.Fatalf("%d posts at 08:00, want 1", len(posts))
		}
		assertClean(t, posts[0].Blocks)
		text := renderShown(decodeBlocks(t, posts[0].Blocks))
		for _, want := range []string{"Lägesbild vecka 48, 2026", "2026-W48: 2026-11-23 till 2026-11-29", "*4 rapporter* om otrygga platser. Vecka 47: 1 (+3).", "Bäckby: 3", "Vallby: <3", "Veckans lägesbild, som trygg postar här varje måndag kl. 08.00."} {
			if !strings.Contains(text, want) {
				t.Errorf("the post lacks %q:\n%s", want, text)
			}
		}
		ups := r.api.Uploads()
		if len(ups) != 1 || ups[0].Channel != testStaffChannel || ups[0].Filename != "lagesbild-2026-W48.png" || !strings.HasPrefix(string(ups[0].Data), string(pngMagic)) {
			t.Fatalf("uploads %+v, want the week's PNG chart in the staff channel", ups)
		}

		// A replica goes away and comes back after the post: it does not post again.
		r.at(min(5), 2)
		stopA()
		r.clock.Set(min(7))
		r.start("a-restarted")
		r.at(min(7), 2)
		for m := 10; m <= 60; m += 5 {
			r.at(min(m), 2)
		}
		if n := len(r.summaries()); n != 1 {
			t.Errorf("%d posts after the hour, want 1", n)
		}
		if n := r.api.Calls("chat.postMessage"); n != 1 {
			t.Errorf("chat.postMessage called %d times, want 1", n)
		}

		// The Monday after (still summer time's end behind us): week 49, once.
		r.at(time.Date(2026, 12, 7, 8, 0, 0, 0, loc), 2)
		posts = r.summaries()
		if len(posts) != 2 || !strings.Contains(posts[1].Text, "vecka 49") {
			t.Errorf("posts %v, want week 48 then week 49", posts)
		}
	})

	t.Run("a failed post is retried in the hour", func(t *testing.T) {
		r := newReplicas(t, min(-1))
		r.api.FailNext("chat.postMessage", "internal_error")
		r.start("a")
		r.start("b")
		r.at(min(-1), 2)
		r.at(min(0), 2)
		if n := len(r.summaries()); n != 0 || r.api.Calls("chat.postMessage") != 1 {
			t.Fatalf("at 08:00: %d posts in %d calls, want one failed call", n, r.api.Calls("chat.postMessage"))
		}
		r.at(min(5), 2)
		if n := len(r.summaries()); n != 1 {
			t.Fatalf("at 08:05: %d posts, want the retry", n)
		}
		for m := 10; m <= 60; m += 5 {
			r.at(min(m), 2)
		}
		if n, calls := len(r.summaries()), r.api.Calls("chat.postMessage"); n != 1 || calls != 2 {
			t.Errorf("%d posts in %d calls, want 1 in 2", n, calls)
		}
	})

	t.Run("the chart cannot be shared: the summary stays, the thread says why", func(t *testing.T) {
		r := newReplicas(t, min(-1))
		r.api.FailNext("files.completeUploadExternal", "not_in_channel")
		r.start("a")
		r.at(min(-1), 1)
		r.at(min(0), 1)
		r.at(min(5), 1)
		posts := r.api.Posts()
		if len(posts) != 2 || posts[1].ThreadTS != posts[0].TS {
			t.Fatalf("posts %+v, want the summary and a reply in its thread", posts)
		}
		if text := renderShown(decodeBlocks(t, posts[1].Blocks)); !strings.Contains(text, "trygg är inte med i kanalen") {
			t.Errorf("the reply says %q", text)
		}
	})

	t.Run("summer time: Monday 30 March 2026 08:00 is 06:00 UTC", func(t *testing.T) {
		r := newReplicas(t, time.Date(2026, 3, 29, 1, 0, 0, 0, loc)) // Sunday, before the change
		r.start("a")
		r.at(r.clock.Now(), 1)
		want := time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC)
		if s := r.clock.Sleepers(); len(s) != 1 || !s[0].Equal(want) {
			t.Fatalf("sleeps until %v, want %s", s, want)
		}
		r.at(want.Add(-time.Minute), 1) // 07:59 local: nothing
		if n := len(r.summaries()); n != 0 {
			t.Fatalf("%d posts before 08:00", n)
		}
		r.at(want, 1)
		if posts := r.summaries(); len(posts) != 1 || !strings.Contains(posts[0].Text, "vecka 13") {
			t.Errorf("posts %v, want week 13", posts)
		}
	})
}
