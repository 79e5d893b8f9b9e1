package lagesbild

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vasteras/trygg/internal/clock"
)

// The weekly post: every Monday at PostHour:00 Europe/Stockholm the lägesbild of the week
// that just ended goes to the staff channel, once, however many replicas run.
//
// The replicas share one store and agree through records that are written once and never
// changed (store.Remember: set-if-absent, SET NX in Redis), all under scope PostScope with
// a TTL of GuardTTL:
//
//	<week>              attempt 0's guard: "<owner> <unix nanoseconds>" of the replica that took it
//	<week>/attempt-<k>  the guard of retry k (k ≥ 1), same value
//	<week>/result-<k>   how attempt k ended: "ok", "failed", or "expired <owner>"
//
// In the posting hour (Monday 08:00-09:00) each replica wakes at 08:00 and every RetryEvery
// after, and walks the attempts from 0:
//   - it tries to take attempt k's guard. If it gets it, it posts (within PostTimeout) and
//     writes result-k: "ok" or "failed". The post happens only in this branch, so two
//     replicas never post for the same attempt.
//   - if another replica took attempt k less than PostTimeout+MaxSkew ago, the attempt may
//     still be under way: the replica stops and looks again at its next wake.
//   - else it reads result-k by writing "expired <owner>" there if nothing is there yet
//     (an attempt whose replica died, or whose result could not be written, counts as
//     failed). "ok": the week is posted, stop. Otherwise go on to attempt k+1.
//
// So a failed post is retried RetryEvery later by whichever replica wakes first, until one
// succeeds or the hour is over; a replica that restarts after the post finds result "ok"
// and does nothing; outside the hour nothing is posted (a late post would surprise more
// than a missing one, and a missing one is logged as an error).
//
// What it needs: the replicas' clocks differ by less than MaxSkew, so that no replica
// declares an attempt expired while its post may still be going on; and PostTimeout+MaxSkew
// is shorter than RetryEvery, so each wake finds the attempt before it finished. If Slack
// accepted a post but its answer was lost (a timeout), the attempt counts as failed and
// the week can be posted twice: the protocol prefers a rare double post to a lost one.

// PostScope is the store scope of the weekly post's records.
const PostScope = "lagesbild-post"

// Defaults of the weekly post.
const (
	// PostHour is the local hour of the Monday post.
	PostHour = 8
	// DefaultRetryEvery is the time between attempts in the posting hour.
	DefaultRetryEvery = 5 * time.Minute
	// DefaultPostTimeout bounds one attempt: building the summary, the chart and posting.
	DefaultPostTimeout = 2 * time.Minute
	// MaxSkew is the largest difference between the replicas' clocks the protocol allows.
	MaxSkew = 30 * time.Second
	// GuardTTL is how long the records of a week's post are kept: past the posting hour
	// and the week, so a restart never posts again.
	GuardTTL = 14 * 24 * time.Hour
	// postWindow is how long after PostHour:00 an attempt may start.
	postWindow = time.Hour
)

// Results written under <week>/result-<k>.
const (
	resultOK      = "ok"
	resultFailed  = "failed"
	resultExpired = "expired"
)

// Guard is the part of the shared store the weekly post needs: a value written once.
// store.Store has it.
type Guard interface {
	// Remember stores value under (scope, id) unless something is stored there already,
	// and returns that and true; nil and false when value was stored now.
	Remember(ctx context.Context, scope, id string, value []byte, ttl time.Duration) ([]byte, bool, error)
}

// WeeklyConfig is what a Weekly needs.
type WeeklyConfig struct {
	// Guard is the store shared by every replica.
	Guard Guard
	// Post posts the lägesbild of week ("2026-W48"); an error means nothing was posted.
	Post func(ctx context.Context, week string) error
	// Clock tells the time and sleeps; nil means the real clock.
	Clock clock.Clock
	// Location is where Monday 08:00 is: Europe/Stockholm.
	Location *time.Location
	// Owner names this replica in the records; "" means a random name.
	Owner string
	// RetryEvery and PostTimeout: 0 means the defaults.
	RetryEvery, PostTimeout time.Duration
	// Log receives what happened; nil discards.
	Log *slog.Logger
}

// Weekly posts the lägesbild every Monday. It is safe for concurrent use.
type Weekly struct {
	cfg  WeeklyConfig
	mu   sync.Mutex
	done map[string]bool // weeks this replica knows are posted
}

// Outcome is what one Tick did.
type Outcome int

// Outcomes of a Tick.
const (
	// Idle: it is not the posting hour.
	Idle Outcome = iota
	// Posted: this replica posted the week now.
	Posted
	// AlreadyPosted: the week was posted before.
	AlreadyPosted
	// Waiting: another replica's attempt may be under way, or a retry is not due yet.
	Waiting
	// Failed: this replica's attempt failed; it will be retried.
	Failed
)

// String names the outcome for logs and tests.
func (o Outcome) String() string {
	return [...]string{"idle", "posted", "already posted", "waiting", "failed"}[o]
}

// NewWeekly returns a Weekly.
func NewWeekly(cfg WeeklyConfig) (*Weekly, error) {
	if cfg.Guard == nil || cfg.Post == nil || cfg.Location == nil {
		return nil, errors.New("lagesbild: weekly post: Guard, Post and Location are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.RetryEvery <= 0 {
		cfg.RetryEvery = DefaultRetryEvery
	}
	if cfg.PostTimeout <= 0 {
		cfg.PostTimeout = DefaultPostTimeout
	}
	if cfg.PostTimeout+MaxSkew >= cfg.RetryEvery {
		return nil, fmt.Errorf("lagesbild: weekly post: the post timeout %v plus %v must be shorter than the time between attempts %v", cfg.PostTimeout, MaxSkew, cfg.RetryEvery)
	}
	if cfg.Owner == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		cfg.Owner = "replica-" + hex.EncodeToString(b[:])
	}
	cfg.Owner = strings.ReplaceAll(cfg.Owner, " ", "_")
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Weekly{cfg: cfg, done: map[string]bool{}}, nil
}

// Run wakes at every Monday's posting hour and its retries and posts the week that just
// ended, until ctx ends.
func (w *Weekly) Run(ctx context.Context) error {
	w.cfg.Log.Info("lägesbild: weekly post scheduled", "next", w.Next(w.cfg.Clock.Now()).Format(time.RFC3339))
	for {
		now := w.cfg.Clock.Now()
		out, err := w.Tick(ctx, now)
		if err != nil {
			w.cfg.Log.Warn("lägesbild: weekly post", "outcome", out.String(), "error", err.Error())
		}
		if err := w.cfg.Clock.SleepUntil(ctx, w.Next(now)); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// Window returns the posting hour that now is in: the week it posts and when the hour
// started; false outside the hour.
func (w *Weekly) Window(now time.Time) (week string, start time.Time, ok bool) {
	start = mondayAt(now.In(w.cfg.Location), PostHour)
	if now.Before(start) || !now.Before(start.Add(postWindow)) {
		return "", time.Time{}, false
	}
	return Week(start.AddDate(0, 0, -1)), start, true
}

// Next returns the next time after now to wake: the next attempt in the posting hour, or
// the next Monday at PostHour:00 local time (08:00 also on the Mondays after the clocks
// change).
func (w *Weekly) Next(now time.Time) time.Time {
	local := now.In(w.cfg.Location)
	start := mondayAt(local, PostHour)
	if now.Before(start) {
		return start
	}
	if now.Before(start.Add(postWindow)) {
		k := now.Sub(start)/w.cfg.RetryEvery + 1
		if t := start.Add(k * w.cfg.RetryEvery); t.Before(start.Add(postWindow)) {
			return t
		}
	}
	y, m, d := start.Date()
	return time.Date(y, m, d+7, PostHour, 0, 0, 0, w.cfg.Location)
}

// mondayAt returns hour:00 on the Monday of t's week, in t's location.
func mondayAt(t time.Time, hour int) time.Time {
	y, m, d := t.Date()
	back := (int(t.Weekday()) + 6) % 7
	return time.Date(y, m, d-back, hour, 0, 0, 0, t.Location())
}

// Tick does what is due at now: in the posting hour it walks the attempts of the week and
// posts when it is this replica's turn (see the protocol above).
func (w *Weekly) Tick(ctx context.Context, now time.Time) (Outcome, error) {
	week, _, ok := w.Window(now)
	if !ok {
		return Idle, nil
	}
	if w.posted(week) {
		return AlreadyPosted, nil
	}
	claim := []byte(w.cfg.Owner + " " + strconv.FormatInt(now.UnixNano(), 10))
	for k := 0; ; k++ {
		old, taken, err := w.cfg.Guard.Remember(ctx, PostScope, attemptID(week, k), claim, GuardTTL)
		if err != nil {
			return Waiting, fmt.Errorf("weekly post %s: take attempt %d: %w", week, k, err)
		}
		if !taken {
			return w.attempt(ctx, week, k, now)
		}
		if at := claimTime(old); now.Before(at.Add(w.cfg.PostTimeout + MaxSkew)) {
			return Waiting, nil
		}
		res, decided, err := w.cfg.Guard.Remember(ctx, PostScope, resultID(week, k), []byte(resultExpired+" "+w.cfg.Owner), GuardTTL)
		if err != nil {
			return Waiting, fmt.Errorf("weekly post %s: read attempt %d: %w", week, k, err)
		}
		if decided && string(res) == resultOK {
			w.markDone(week)
			return AlreadyPosted, nil
		}
		if !decided {
			w.cfg.Log.Warn("lägesbild: an attempt of the weekly post ended without a result; retrying", "week", week, "attempt", k)
		}
	}
}

// attempt posts week as attempt k, whose guard this replica holds, and writes the result.
func (w *Weekly) attempt(ctx context.Context, week string, k int, now time.Time) (Outcome, error) {
	pctx, cancel := context.WithTimeout(ctx, w.cfg.PostTimeout)
	err := w.cfg.Post(pctx, week)
	cancel()
	result := resultOK
	if err != nil {
		result = resultFailed
	}
	prev, decided, rerr := w.cfg.Guard.Remember(context.WithoutCancel(ctx), PostScope, resultID(week, k), []byte(result), GuardTTL)
	switch {
	case rerr != nil:
		w.cfg.Log.Error("lägesbild: the result of the weekly post could not be saved; another replica may post again", "week", week, "attempt", k, "result", result, "error", rerr.Error())
	case decided:
		w.cfg.Log.Error("lägesbild: another replica gave up on this attempt of the weekly post while it ran", "week", week, "attempt", k, "result", result, "recorded", string(prev))
	}
	if err != nil {
		if _, _, more := w.Window(now.Add(w.cfg.RetryEvery)); more {
			w.cfg.Log.Warn("lägesbild: the weekly post failed; it is retried", "week", week, "attempt", k, "retry_in", w.cfg.RetryEvery.String(), "error", err.Error())
		} else {
			w.cfg.Log.Error("lägesbild: the weekly post failed and its hour is over; post it by hand with /trygg lägesbild", "week", week, "attempt", k, "error", err.Error())
		}
		return Failed, fmt.Errorf("weekly post %s, attempt %d: %w", week, k, err)
	}
	w.markDone(week)
	w.cfg.Log.Info("lägesbild: weekly post sent", "week", week, "attempt", k)
	return Posted, nil
}

// posted reports whether this replica knows week is posted.
func (w *Weekly) posted(week string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.done[week]
}

func (w *Weekly) markDone(week string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done[week] = true
}

// attemptID is the id of attempt k's guard: the week itself for the first attempt.
func attemptID(week string, k int) string {
	if k == 0 {
		return week
	}
	return week + "/attempt-" + strconv.Itoa(k)
}

// resultID is the id of attempt k's result.
func resultID(week string, k int) string {
	return week + "/result-" + strconv.Itoa(k)
}

// claimTime reads when a guard was taken; the zero time (long ago) when it cannot be read.
func claimTime(v []byte) time.Time {
	_, at, _ := strings.Cut(string(v), " ")
	n, err := strconv.ParseInt(at, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, n)
}
