// Package conversation runs one resident's turn for any channel: load the state from the
// store, let the engine answer, save the new state on the condition that nobody else
// changed it meanwhile, and act on the events the host owns (erasure, statistics).
//
// It never fails to answer: when the store or the engine fails or is too slow, the
// resident gets the static safety reply with 112 and Brottsofferjouren's numbers.
package conversation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/store"
)

// DefaultTimeout is how long a turn may take before the safety reply stands in. Channels
// must answer within 2 s; this leaves room for the channel's own work.
const DefaultTimeout = 1500 * time.Millisecond

// maxAttempts bounds how often a turn is run again after a conflicting save.
const maxAttempts = 8

// Config holds what a Service needs.
type Config struct {
	Engine *bot.Engine
	Store  store.Store
	// Stats is where the host flushes the service's Tally (see Tally.FlushEvery); the
	// service itself only counts in memory, so a turn costs no extra store round trip.
	Stats store.Stats
	// TTL is how long a silent conversation is kept.
	TTL time.Duration
	// Timeout bounds a turn; 0 means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives errors, never personal data; nil discards.
	Log *slog.Logger
}

// Service runs turns. It is safe for concurrent use.
type Service struct {
	cfg      Config
	tally    *Tally
	features []Feature
}

// New returns a Service without features; see Register.
func New(cfg Config) *Service {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 24 * time.Hour
	}
	return &Service{cfg: cfg, tally: NewTally()}
}

// Engine returns the service's engine.
func (s *Service) Engine() *bot.Engine { return s.cfg.Engine }

// TTL is how long a silent conversation is kept.
func (s *Service) TTL() time.Duration { return s.cfg.TTL }

// Tally returns the counters the service keeps until they are flushed to the store.
func (s *Service) Tally() *Tally { return s.tally }

// Outcome is what a turn produced.
type Outcome struct {
	// Replies are the messages to send, in order. Never empty from Handle, except for a
	// message relayed to staff during a handoff (EventRelay without danger).
	Replies []bot.Reply
	// Rendered is Replies as Inbound.Render renders them; nil without Render.
	Rendered []byte
	// Events are what happened; empty for a degraded turn.
	Events []bot.Event
	// State is the conversation's state after the turn.
	State bot.State
	// Scope is where the conversation is after the turn: Inbound.Scope, or the new scope
	// it moved to (Inbound.NewScope).
	Scope string
	// New is true when this message started the conversation.
	New bool
	// Degraded is true when the safety reply stands in for a turn that failed.
	Degraded bool
	// Err is why the turn failed, when Degraded.
	Err error
	// Remembered is true when the rendered reply was stored under Inbound.ReplyID;
	// RememberErr is why it was not, when remembering failed.
	Remembered  bool
	RememberErr error
	// Took is how long the turn took, the safety reply included.
	Took time.Duration
}

// Erased reports whether the turn erased the conversation (EventErase).
func (o Outcome) Erased() bool { return has(o.Events, bot.EventErase) }

// rememberTimeout bounds remembering the reply after a turn whose state was saved without
// it (a store that is no store.ReplySaver, or a degraded turn).
const rememberTimeout = 200 * time.Millisecond

// Handle runs one turn of the conversation of in.Scope with the registered features. It
// always returns at least one reply within the timeout (but for a message relayed to
// staff), and remembers the rendered reply under in.ReplyID when asked to.
func (s *Service) Handle(ctx context.Context, in Inbound) Outcome {
	start := time.Now()
	if in.At.IsZero() {
		in.At = s.cfg.Now()
	}
	o := s.handle(ctx, in)
	if in.Render != nil && o.Rendered == nil {
		s.render(&o, in)
	}
	if in.ReplyID != "" && in.Render != nil && !in.Preview && !o.Remembered && !o.Erased() {
		o.RememberErr = s.remember(ctx, o.Scope, in, o.Rendered)
		o.Remembered = o.RememberErr == nil
	}
	o.Took = time.Since(start)
	if in.Preview {
		return o
	}
	in.Scope = o.Scope
	for _, f := range s.features {
		if err := s.after(ctx, f, in, o); err != nil {
			s.cfg.Log.Error("feature failed after the turn", "feature", f.Name(), "error", err.Error())
			s.tally.Add(s.day(), "feature_failed", 1)
		}
	}
	return o
}

// after runs f's After step, turning a panic into an error.
func (s *Service) after(ctx context.Context, f Feature, in Inbound, o Outcome) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %T", p)
		}
	}()
	return f.After(ctx, in, o)
}

// render renders o's replies with in.Render; a reply that cannot be rendered gives the
// safety reply instead and makes the turn degraded.
func (s *Service) render(o *Outcome, in Inbound) {
	b, err := in.Render(o.Replies)
	if err == nil {
		o.Rendered = b
		return
	}
	s.cfg.Log.Error("reply not rendered; the safety reply was sent", "error", err.Error())
	safe := []bot.Reply{s.Safe(in.Text)}
	if b, err2 := in.Render(safe); err2 == nil {
		o.Rendered = b
	}
	o.Replies, o.Degraded, o.Err = safe, true, fmt.Errorf("render reply: %w", err)
}

// remember stores the rendered reply under in.ReplyID in scope, bounded by
// rememberTimeout even when the store does not honour its context.
func (s *Service) remember(ctx context.Context, scope string, in Inbound, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, rememberTimeout)
	defer cancel()
	put := func() error {
		_, _, err := s.cfg.Store.Remember(ctx, scope, in.ReplyID, body, in.ReplyTTL)
		return err
	}
	if store.HonorsContext(s.cfg.Store) {
		if err := put(); err != nil {
			return fmt.Errorf("remember reply: %w", err)
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- put() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("remember reply: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("remember reply: %w", ctx.Err())
	}
}

// handle is Handle without remembering the reply and the features' After steps.
func (s *Service) handle(ctx context.Context, in Inbound) Outcome {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	run := func() (o Outcome) {
		defer func() {
			if p := recover(); p != nil {
				o = Outcome{Err: fmt.Errorf("turn panicked: %v", p)}
			}
		}()
		o, err := s.turn(ctx, in)
		if err != nil {
			o.Err = err
		}
		return o
	}
	var o Outcome
	if store.HonorsContext(s.cfg.Store) {
		// The store returns soon after ctx ends and the engine is bounded: run inline. A
		// turn that saved its state keeps its reply even if it finished a little late.
		o = run()
	} else {
		// A store that may hang past its context: the turn runs on its own goroutine, and
		// the safety reply goes out when the time is up.
		done := make(chan Outcome, 1)
		go func() { done <- run() }()
		select {
		case o = <-done:
		case <-ctx.Done():
			o.Err = fmt.Errorf("turn: %w", ctx.Err())
		}
	}
	if o.Err != nil {
		s.cfg.Log.Error("turn failed; the safety reply was sent", "error", o.Err.Error())
		if !in.Preview {
			s.tally.Add(s.day(), "turn_failed", 1)
		}
		return Outcome{Replies: []bot.Reply{s.Safe(in.Text)}, Scope: in.Scope, Degraded: true, Err: o.Err}
	}
	if len(o.Replies) == 0 && !relayed(o.Events) {
		// A flow that says nothing on some way (flows check reports it) must not leave the
		// resident without an answer.
		s.cfg.Log.Warn("turn gave no reply; the safety reply was sent")
	}
	s.fill(&o, in.Text)
	return o
}

// fill puts the safety reply into an outcome without replies that was not relayed.
func (s *Service) fill(o *Outcome, text string) {
	if len(o.Replies) > 0 || relayed(o.Events) {
		return
	}
	lang := o.State.Lang
	if lang == "" {
		lang = s.cfg.Engine.GuessLang(text)
	}
	o.Replies = []bot.Reply{s.cfg.Engine.Safe(lang)}
}

// Safe returns the safety reply for a message without running a turn, for channels that
// must answer without touching the store (a rate limit, a broken request).
func (s *Service) Safe(text string) bot.Reply {
	return s.cfg.Engine.Safe(s.cfg.Engine.GuessLang(text))
}

// turn runs the features' Before steps and the engine's turn, saved on the condition that
// nobody changed the conversation meanwhile.
func (s *Service) turn(ctx context.Context, in Inbound) (Outcome, error) {
	msg := bot.Message{Text: in.Text, Channel: in.Channel, Client: in.Client, Media: in.Media}
	for _, f := range s.features {
		if err := s.before(ctx, f, in, &msg); err != nil {
			s.cfg.Log.Warn("feature failed before the turn; going on without what it knows", "feature", f.Name(), "error", err.Error())
			if !in.Preview {
				s.tally.Add(s.day(), "prepare_failed", 1)
			}
		}
	}
	step := func(st bot.State, now time.Time) bot.Result {
		if in.Lang != "" {
			st.Lang, st.LangKnown = in.Lang, true
		}
		return s.cfg.Engine.Turn(st, msg, now)
	}
	if in.Preview && in.Scope == "" {
		res := step(bot.State{}, s.cfg.Now())
		return Outcome{Replies: res.Replies, Events: res.Events, State: res.State, New: true}, nil
	}
	return s.run(ctx, in, false, step)
}

// before runs f's Before step, turning a panic into an error.
func (s *Service) before(ctx context.Context, f Feature, in Inbound, msg *bot.Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %T", p)
		}
	}()
	return f.Before(ctx, in, msg)
}

// Act runs a turn the host starts, not the resident (staff ending a handoff, a timer): f
// gets the stored state and returns the result, which is saved on the same condition as a
// resident's turn and run again on fresh state after a conflicting save. A conversation
// that is not stored (erased, expired) is left alone: f is not called and the Outcome is
// empty. Act does not substitute the safety reply: the caller sends what f answered. The
// features do not join a host's turn.
func (s *Service) Act(ctx context.Context, scope, channel string, f func(bot.State) bot.Result) (Outcome, error) {
	return s.run(ctx, Inbound{Channel: channel, Scope: scope}, true, func(st bot.State, _ time.Time) bot.Result { return f(st) })
}

// run loads the state of in's scope, lets step answer and saves the result if nobody
// changed the state meanwhile, else runs step again. With existing, a scope with nothing
// stored is left alone. in may bring the first attempt's state and a reply to save with
// the state.
func (s *Service) run(ctx context.Context, in Inbound, existing bool, step func(bot.State, time.Time) bot.Result) (Outcome, error) {
	scope := in.Scope
	saver, _ := s.cfg.Store.(store.ReplySaver)
	remember := saver != nil && in.ReplyID != "" && in.Render != nil && !in.Preview
	for attempt := 0; attempt < maxAttempts; attempt++ {
		var conv store.Conversation
		var err error
		if attempt == 0 && in.Loaded != nil {
			conv = *in.Loaded
		} else if conv, err = s.cfg.Store.Load(ctx, scope); err != nil {
			return Outcome{}, fmt.Errorf("load conversation: %w", err)
		}
		if existing && conv.Version == 0 {
			return Outcome{Scope: scope}, nil
		}
		st, err := bot.DecodeState(conv.Data)
		if err != nil {
			// Unreadable state: start afresh rather than leave the resident without an answer.
			s.cfg.Log.Warn("stored state unreadable; starting afresh", "error", err.Error())
			st = bot.State{}
		}
		now := s.cfg.Now()
		res := step(st, now)
		o := Outcome{Replies: res.Replies, Events: res.Events, State: res.State, Scope: scope, New: conv.Version == 0}
		if res.Erase {
			if err := s.cfg.Store.Erase(ctx, scope); err != nil {
				return Outcome{}, fmt.Errorf("erase conversation: %w", err)
			}
			s.count(o, in, !existing)
			return o, nil
		}
		data, err := res.State.Encode()
		if err != nil {
			return Outcome{}, err
		}
		next := store.Conversation{Data: data, Version: conv.Version}
		keep := s.cfg.TTL
		started := has(o.Events, bot.EventHandoffStarted)
		if o.New && in.FirstTTL > 0 && in.FirstTTL < keep && !started {
			keep = in.FirstTTL
		}
		if remember {
			s.fill(&o, in.Text)
			s.render(&o, in)
			_, err = saver.SaveRemember(ctx, scope, next, keep, in.ReplyID, o.Rendered, in.ReplyTTL)
			if errors.Is(err, store.ErrRemember) {
				// Saved; Handle remembers the reply on its own.
				s.cfg.Log.Warn("remembering the reply with the state failed", "error", err.Error())
				err = nil
			} else {
				o.Remembered = err == nil
			}
		} else {
			_, err = s.cfg.Store.Save(ctx, scope, next, keep)
		}
		if errors.Is(err, store.ErrConflict) {
			continue // another replica answered a message of the same resident meanwhile
		}
		if err != nil {
			return Outcome{}, fmt.Errorf("save conversation: %w", err)
		}
		if started && in.NewScope != nil {
			o.Scope = s.move(ctx, scope, data, in.NewScope)
		}
		s.count(o, in, !existing)
		return o, nil
	}
	return Outcome{}, fmt.Errorf("save conversation: %d conflicts in a row: %w", maxAttempts, store.ErrConflict)
}

// move moves the conversation saved as data from scope to the scope newScope gives, and
// returns where the conversation is. A move that fails keeps the old scope.
func (s *Service) move(ctx context.Context, scope string, data []byte, newScope func() (string, bool)) string {
	to, ok := newScope()
	if !ok || to == "" || to == scope {
		return scope
	}
	if _, err := s.cfg.Store.Save(ctx, to, store.Conversation{Data: data}, s.cfg.TTL); err != nil {
		s.cfg.Log.Warn("conversation not moved to its new scope at the handoff", "error", err.Error())
		return scope
	}
	if err := s.cfg.Store.Erase(ctx, scope); err != nil {
		s.cfg.Log.Warn("the old scope not erased after moving the conversation", "error", err.Error())
	}
	return to
}

// relayed reports whether a turn's message went to staff, so that no reply is right.
func relayed(events []bot.Event) bool {
	return has(events, bot.EventRelay)
}

// has reports whether events hold one of kind.
func has(events []bot.Event, kind bot.EventKind) bool {
	for _, e := range events {
		if e.Kind == kind {
			return true
		}
	}
	return false
}

// count adds a turn's events to the tally, and the message when a resident sent one.
// Previews are not counted.
func (s *Service) count(o Outcome, in Inbound, message bool) {
	if in.Preview {
		return
	}
	day := s.day()
	if message {
		s.tally.Add(day, "messages", 1)
	}
	if message && o.New {
		s.tally.Add(day, "conversations", 1)
		s.tally.Add(day, "lang:"+o.State.Lang, 1)
	}
	for _, e := range o.Events {
		switch e.Kind {
		case bot.EventReferred:
			s.tally.Add(day, "route:"+e.Route, 1)
		case bot.EventLanguage:
			// A conversation is counted once in the language it ends its first turn in,
			// even when that turn switched language ("engelska" as the first message).
			if !o.New {
				s.tally.Add(day, "lang:"+e.Lang, 1)
			}
		default:
			s.tally.Add(day, string(e.Kind), 1)
		}
	}
}

// day is today's date in Västerås.
func (s *Service) day() string {
	return Day(s.cfg.Now())
}
