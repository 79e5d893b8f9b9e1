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
	// Staffed tells whether staff are on duty to take over a conversation at a time; nil
	// means never. Set it only where a handoff channel relays to staff.
	Staffed func(time.Time) bool
	// Sinks receive the events of every saved turn, e.g. the lägesbild recorder. A sink's
	// error is logged and counted; it never changes the resident's reply.
	Sinks []Sink
	// Prepare, when set, adds what the host knows to a message before each turn (e.g. the
	// area of a Grannsamverkan invite code in it). An error is logged and the turn goes on
	// with what Prepare set so far: it never keeps a resident from an answer.
	Prepare func(ctx context.Context, scope string, msg *bot.Message) error
	// Observe, when set, is told about every turn once it is answered: the channel of the
	// message (bot.Message.Channel), how long the turn took and its outcome. It runs on the
	// resident's request, so it must be quick; metrics use it. Nil observes nothing.
	Observe func(channel string, d time.Duration, o Outcome)
}

// Sink acts on the events of a turn after the turn is saved.
type Sink interface {
	// Record acts on events of a turn that arrived at now from origin.
	Record(ctx context.Context, origin Origin, now time.Time, events []bot.Event) error
}

// Origin is where a turn's message came from, as a sink sees it: pseudonyms only.
type Origin struct {
	// Channel is the channel the message came by: "sms", "web", "chat".
	Channel string
	// Scope is the conversation's pseudonym.
	Scope string
	// Client is the pseudonym of the client that sent the message, as the channel knows it
	// (bot.Message.Client): the web chat's client address; for a channel that sets none,
	// the conversation's scope (an SMS sender is their conversation).
	Client string
}

// Service runs turns. It is safe for concurrent use.
type Service struct {
	cfg   Config
	tally *Tally
}

// New returns a Service.
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
	// Events are what happened; empty for a degraded turn.
	Events []bot.Event
	// State is the conversation's state after the turn.
	State bot.State
	// New is true when this message started the conversation.
	New bool
	// Degraded is true when the safety reply stands in for a turn that failed.
	Degraded bool
	// Err is why the turn failed, when Degraded.
	Err error
	// Remembered is true when Turn.Reply's value was stored with the saved state.
	Remembered bool
}

// Turn is what a channel brings to a turn (HandleWith) to save store round trips.
type Turn struct {
	// Loaded, when set, is the conversation the channel loaded just before (store.Admit):
	// the first attempt runs on it instead of loading. A save that conflicts loads afresh.
	Loaded *store.Conversation
	// FirstTTL, when set, is how long a conversation this turn starts is kept, until the
	// resident's next message gives it Config.TTL: a conversation that never gets past its
	// first message is gone soon (the web chat, where a new one costs a click). A turn
	// that starts a handoff keeps Config.TTL.
	FirstTTL time.Duration
	// Reply, when set, tells what to remember for the turn's reply: id, value and ttl,
	// given the outcome (with the safety reply filled in as Handle would); ok false
	// remembers nothing. When the store is a store.ReplySaver the value is remembered with
	// the saved state in one step and Outcome.Remembered is set; otherwise the channel
	// remembers it itself. A turn that erases the conversation remembers nothing.
	Reply func(Outcome) (id string, value []byte, ttl time.Duration, ok bool)
}

// Handle runs one turn of the conversation of scope (a pseudonym). It always returns at
// least one reply within the timeout.
func (s *Service) Handle(ctx context.Context, scope string, msg bot.Message) Outcome {
	return s.HandleWith(ctx, scope, msg, Turn{})
}

// HandleWith is Handle with what the channel brings to the turn.
func (s *Service) HandleWith(ctx context.Context, scope string, msg bot.Message, t Turn) Outcome {
	start := time.Now()
	if t.Reply != nil {
		reply, text := t.Reply, msg.Text
		t.Reply = func(o Outcome) (string, []byte, time.Duration, bool) {
			s.fill(&o, text)
			return reply(o)
		}
	}
	o := s.handle(ctx, scope, msg, t)
	if s.cfg.Observe != nil {
		s.cfg.Observe(msg.Channel, time.Since(start), o)
	}
	return o
}

// handle is Handle without the observation.
func (s *Service) handle(ctx context.Context, scope string, msg bot.Message, t Turn) Outcome {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	run := func() (o Outcome) {
		defer func() {
			if p := recover(); p != nil {
				o = Outcome{Err: fmt.Errorf("turn panicked: %v", p)}
			}
		}()
		o, err := s.turn(ctx, scope, msg, t)
		o.Err = err
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
		s.tally.Add(s.day(), "turn_failed", 1)
		return Outcome{Replies: []bot.Reply{s.cfg.Engine.Safe(s.cfg.Engine.GuessLang(msg.Text))}, Degraded: true, Err: o.Err}
	}
	if len(o.Replies) == 0 && !relayed(o.Events) {
		// A flow that says nothing on some way (flows check reports it) must not leave the
		// resident without an answer.
		s.cfg.Log.Warn("turn gave no reply; the safety reply was sent")
	}
	s.fill(&o, msg.Text)
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

func (s *Service) turn(ctx context.Context, scope string, msg bot.Message, t Turn) (Outcome, error) {
	s.prepare(ctx, scope, &msg)
	origin := Origin{Channel: msg.Channel, Scope: scope, Client: msg.Client}
	if origin.Client == "" {
		origin.Client = scope
	}
	return s.run(ctx, origin, false, t, func(st bot.State, now time.Time) bot.Result {
		if s.cfg.Staffed != nil {
			msg.Staffed = s.cfg.Staffed(now)
		}
		return s.cfg.Engine.Turn(st, msg, now)
	})
}

// Act runs a turn the host starts, not the resident (staff ending a handoff, a timer): f
// gets the stored state and returns the result, which is saved on the same condition as a
// resident's turn and run again on fresh state after a conflicting save. A conversation
// that is not stored (erased, expired) is left alone: f is not called and the Outcome is
// empty. Act does not substitute the safety reply: the caller sends what f answered.
func (s *Service) Act(ctx context.Context, scope, channel string, f func(bot.State) bot.Result) (Outcome, error) {
	return s.run(ctx, Origin{Channel: channel, Scope: scope, Client: scope}, true, Turn{}, func(st bot.State, _ time.Time) bot.Result { return f(st) })
}

// run loads the state of the origin's scope, lets step answer and saves the result if
// nobody changed the state meanwhile, else runs step again. With existing, a scope with
// nothing stored is left alone. t may bring the first attempt's state and a reply to save
// with the state.
func (s *Service) run(ctx context.Context, origin Origin, existing bool, t Turn, step func(bot.State, time.Time) bot.Result) (Outcome, error) {
	scope := origin.Scope
	saver, _ := s.cfg.Store.(store.ReplySaver)
	for attempt := 0; attempt < maxAttempts; attempt++ {
		var conv store.Conversation
		var err error
		if attempt == 0 && t.Loaded != nil {
			conv = *t.Loaded
		} else if conv, err = s.cfg.Store.Load(ctx, scope); err != nil {
			return Outcome{}, fmt.Errorf("load conversation: %w", err)
		}
		if existing && conv.Version == 0 {
			return Outcome{}, nil
		}
		st, err := bot.DecodeState(conv.Data)
		if err != nil {
			// Unreadable state: start afresh rather than leave the resident without an answer.
			s.cfg.Log.Warn("stored state unreadable; starting afresh", "error", err.Error())
			st = bot.State{}
		}
		now := s.cfg.Now()
		res := step(st, now)
		o := Outcome{Replies: res.Replies, Events: res.Events, State: res.State, New: conv.Version == 0}
		if res.Erase {
			if err := s.cfg.Store.Erase(ctx, scope); err != nil {
				return Outcome{}, fmt.Errorf("erase conversation: %w", err)
			}
			s.count(o, !existing)
			s.sink(ctx, origin, now, o.Events)
			return o, nil
		}
		data, err := res.State.Encode()
		if err != nil {
			return Outcome{}, err
		}
		next := store.Conversation{Data: data, Version: conv.Version}
		keep := s.cfg.TTL
		if o.New && t.FirstTTL > 0 && t.FirstTTL < keep && !has(o.Events, bot.EventHandoffStarted) {
			keep = t.FirstTTL
		}
		if id, value, ttl, ok := s.reply(t, saver, o); ok {
			_, err = saver.SaveRemember(ctx, scope, next, keep, id, value, ttl)
			if errors.Is(err, store.ErrRemember) {
				// Saved; the channel remembers the reply itself.
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
		s.count(o, !existing)
		s.sink(ctx, origin, now, o.Events)
		return o, nil
	}
	return Outcome{}, fmt.Errorf("save conversation: %d conflicts in a row: %w", maxAttempts, store.ErrConflict)
}

// reply returns what t wants remembered with the state, when the store can do both at once.
func (s *Service) reply(t Turn, saver store.ReplySaver, o Outcome) (string, []byte, time.Duration, bool) {
	if t.Reply == nil || saver == nil {
		return "", nil, 0, false
	}
	return t.Reply(o)
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

// prepare runs Config.Prepare on msg; its failure is logged and counted, never fatal.
func (s *Service) prepare(ctx context.Context, scope string, msg *bot.Message) {
	if s.cfg.Prepare == nil {
		return
	}
	if err := s.cfg.Prepare(ctx, scope, msg); err != nil {
		s.cfg.Log.Warn("preparing the turn failed; going on without the host's facts", "error", err.Error())
		s.tally.Add(s.day(), "prepare_failed", 1)
	}
}

// sink hands a saved turn's events to the sinks.
func (s *Service) sink(ctx context.Context, origin Origin, now time.Time, events []bot.Event) {
	if len(events) == 0 {
		return
	}
	for _, k := range s.cfg.Sinks {
		if err := k.Record(ctx, origin, now, events); err != nil {
			s.cfg.Log.Error("event sink failed", "error", err.Error())
			s.tally.Add(s.day(), "sink_failed", 1)
		}
	}
}

// count adds a turn's events to the tally, and the message when a resident sent one.
func (s *Service) count(o Outcome, message bool) {
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
