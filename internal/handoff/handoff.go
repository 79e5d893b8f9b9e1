// Package handoff is the host side of a handoff: when a resident agrees that a person
// takes over (EventHandoffStarted), it opens a case with a random code, posts a card to
// the staff channel in Slack, relays each later message of the resident to the card's
// thread, sends staff's replies in the thread back to the resident through their channel,
// and ends the case when staff press Avsluta, when nobody answers within the wait, or when
// the resident writes STOPP. Once staff have answered, each later stretch of the
// resident's messages that staff leave unanswered for the wait (at once outside staffed
// hours) gets one notice with the numbers; the case stays open.
//
// The engine decides what the resident is told; this package only moves messages. The
// resident's phone number is kept only while the case is open, sealed with AES-GCM under
// a key derived from TRYGG_SECRET, in the resident's records (so erasure removes it); it is
// never posted to Slack and never logged. Replicas agree through set-once guards in the
// shared store: a case is taken once and ended once, and each unanswered stretch gets
// the waiting notice once.
package handoff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows/events"
	"github.com/vasteras/trygg/internal/clock"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/seal"
	"github.com/vasteras/trygg/internal/store"
)

// Defaults of the service.
const (
	// DefaultWait is how long a resident waits for a staff reply (TRYGG_HANDOFF_WAIT).
	DefaultWait = 10 * time.Minute
	// DefaultTTL is how long an answered case may go without a message either way before
	// it ends (EndedExpired): the conversation's own lifetime (TRYGG_CONVERSATION_TTL).
	DefaultTTL = 24 * time.Hour
	// recordGrace keeps a case's records (the number, the indexes) this long beyond its
	// TTL, so the sweeper still finds them when it ends the case at the TTL.
	recordGrace = time.Hour
	// DefaultSweepEvery is how often the sweeper looks for cases past their wait.
	DefaultSweepEvery = 15 * time.Second
	// workTimeout bounds the background work of one event.
	workTimeout = 30 * time.Second
	// guardTTL keeps the take and end guards beyond any case's life.
	guardTTL = 7 * 24 * time.Hour
	// footerSeparator puts the footer (112 and Brottsofferjouren) on its own lines under a
	// staff message, so the resident sees where staff's words end.
	footerSeparator = "\n\n"
)

// Ended reasons, as the engine's EventHandoffEnded names them (flows/events.Ended).
const (
	EndedStaff    = string(events.EndedStaff)
	EndedTimeout  = string(events.EndedTimeout)
	EndedResident = string(events.EndedResident)
	// EndedExpired: an answered case had no message either way for its TTL. The resident
	// is told the conversation with staff ended and gets the numbers, as on Avsluta.
	EndedExpired = string(events.EndedExpired)
)

// Card is what staff see of a case: never text, never a number.
type Card struct {
	// Code is the case code, e.g. K-7F3Q.
	Code string
	// Channel is how the resident writes: "sms", "whatsapp" or "web".
	Channel string
	// Lang is the conversation's language; Topic the last topic ("support", ""); Age the
	// age group if known ("youth", "adult", "").
	Lang, Topic, Age string
	// Started is when the resident agreed.
	Started time.Time
	// TakenBy is the Slack user id of who took the case, or "".
	TakenBy string
	// Ended is "", or why the case ended: EndedStaff, EndedTimeout, EndedResident,
	// EndedExpired.
	Ended string
	// EndedBy is the Slack user id who pressed Avsluta.
	EndedBy string
}

// NoteKind is what a message in a case's thread says.
type NoteKind string

// Notes in a case's thread.
const (
	// NoteResident is a message of the resident (Text).
	NoteResident NoteKind = "resident"
	// NoteDanger is a message of the resident that says danger now; 112 was given.
	NoteDanger NoteKind = "danger"
	// NoteEnded says the case ended (Reason).
	NoteEnded NoteKind = "ended"
	// NoteUndelivered says a staff reply (Reason "") or the waiting notice (Reason
	// UndeliveredWaiting) could not be sent to the resident, or, with an outbox's Reason
	// (WhatsApp: "window_template", "window_asked", "window_closed", "opted_out",
	// "failed"), what became of a message that did not reach them now.
	NoteUndelivered NoteKind = "undelivered"
	// NoteWaited says the resident got the waiting notice with the numbers because staff
	// had not answered their latest messages: Reason WaitedWait or WaitedOffHours.
	NoteWaited NoteKind = "waited"
)

// Why a resident got the waiting notice (Note.Reason of NoteWaited), and the Reason of a
// NoteUndelivered for the notice.
const (
	// WaitedWait: no staff message in the thread for the wait since the resident wrote.
	WaitedWait = "wait"
	// WaitedOffHours: the resident wrote outside staffed hours; the notice went at once.
	WaitedOffHours = "off_hours"
	// UndeliveredWaiting: the waiting notice could not be sent.
	UndeliveredWaiting = "waiting"
)

// Note is one message trygg posts in a case's thread.
type Note struct {
	Kind NoteKind
	// Text is the resident's message, for NoteResident and NoteDanger; the poster hides
	// phone numbers in it.
	Text string
	// Reason is why the case ended, for NoteEnded; By who ended it.
	Reason, By string
}

// Staff is where cases are shown: the staff channel in Slack. *slack.Bot is one.
type Staff interface {
	// PostCase posts a case's card to channel and returns the card's message ts.
	PostCase(ctx context.Context, channel string, c Card) (string, error)
	// UpdateCase shows c on the card at ts.
	UpdateCase(ctx context.Context, channel, ts string, c Card) error
	// PostNote posts n in the thread of the card at ts.
	PostNote(ctx context.Context, channel, ts string, n Note) error
}

// Outbox sends a staff reply to a resident through their channel.
type Outbox interface {
	// Deliver sends text to the resident of scope at address ("" for channels that need
	// none, such as the web chat).
	Deliver(ctx context.Context, scope, address, text string) error
}

// Config holds what a Service needs.
type Config struct {
	// Conversations runs the host's turns that end a handoff.
	Conversations *conversation.Service
	// Store is the shared store (guards); Records holds cases and addresses.
	Store   store.Store
	Records store.Records
	// Key seals addresses: Hasher.Key("handoff-phone").
	Key []byte
	// Staff shows cases; Channel is the staff channel id (SLACK_STAFF_CHANNEL).
	Staff   Staff
	Channel string
	// Outboxes send staff replies by the resident's channel name ("sms", "web").
	Outboxes map[string]Outbox
	// Wait is how long a resident waits for a staff reply; 0 means DefaultWait. It counts
	// from the consent for the first reply (then the case ends) and from the first
	// unanswered message for every later stretch (then the resident gets the numbers and
	// the case goes on).
	Wait time.Duration
	// Staffed tells whether staff are on duty at a time (TRYGG_STAFFED_HOURS with
	// TRYGG_HOLIDAYS): outside, a resident's message in an answered case gets the waiting
	// notice at once. nil means always staffed.
	Staffed func(time.Time) bool
	// TTL is how long an answered case may go without a message before it ends, like the
	// conversation it belongs to; its records are kept a little longer. 0 means DefaultTTL.
	TTL time.Duration
	// SweepEvery is the sweeper's period; 0 means DefaultSweepEvery.
	SweepEvery time.Duration
	// Clock tells the time and wakes the sweeper; nil means the real clock.
	Clock clock.Clock
	// Log receives what happened, never text, numbers or pseudonyms; nil discards.
	Log *slog.Logger
}

// Service runs handoffs. It is safe for concurrent use.
type Service struct {
	cfg    Config
	seal   *seal.Box
	engine *bot.Engine
	wg     sync.WaitGroup

	mu    sync.Mutex
	locks map[string]*scopeLock // per resident scope: one event at a time, in order
}

type scopeLock struct {
	mu   sync.Mutex
	refs int
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Conversations == nil || cfg.Store == nil || cfg.Records == nil || cfg.Staff == nil || cfg.Channel == "" {
		return nil, errors.New("handoff: Conversations, Store, Records, Staff and Channel are required")
	}
	s, err := seal.New(cfg.Key)
	if err != nil {
		return nil, fmt.Errorf("handoff: %w", err)
	}
	if cfg.Wait <= 0 {
		cfg.Wait = DefaultWait
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.SweepEvery <= 0 {
		cfg.SweepEvery = DefaultSweepEvery
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.Log = cfg.Log.With("part", "handoff")
	return &Service{cfg: cfg, seal: s, engine: cfg.Conversations.Engine(), locks: map[string]*scopeLock{}}, nil
}

// Turn is a resident's turn as the channel saw it.
type Turn struct {
	// Channel is the channel's name ("sms", "web"); Scope the resident's pseudonym.
	Channel, Scope string
	// Address is where the channel reaches the resident (the phone number for SMS); it is
	// kept, sealed, only when the turn starts a handoff.
	Address string
	// Text is what the resident wrote, relayed to staff during a handoff.
	Text string
	// Outcome is what the turn did.
	Outcome conversation.Outcome
}

// Name names the feature.
func (s *Service) Name() string { return "handoff" }

// Before tells the engine whether staff can take over the conversation now: staff are on
// duty (Config.Staffed at the message's time) and can answer through the message's
// channel (an outbox for it). It is the one rule for it: a handoff is offered only where
// this service runs, so without it staff are never on duty.
func (s *Service) Before(_ context.Context, in conversation.Inbound, msg *bot.Message) error {
	msg.Staffed = s.cfg.Outboxes[in.Channel] != nil && s.staffed(in.At)
	return nil
}

// After is Observe as a conversation.Feature, for the channels staff can answer through:
// the message's address is kept, sealed, only when the turn starts a handoff.
func (s *Service) After(ctx context.Context, in conversation.Inbound, o conversation.Outcome) error {
	if s.cfg.Outboxes[in.Channel] == nil {
		return nil
	}
	s.Observe(ctx, Turn{Channel: in.Channel, Scope: in.Scope, Address: in.Address, Text: in.Text, Outcome: o})
	return nil
}

// Observe acts on a resident's turn in the background: it opens a case on
// EventHandoffStarted, relays the message on EventRelay (flagged on EventDanger), and
// closes the case on EventHandoffEnded by the resident. Turns without these cost nothing.
// Turns of one resident are worked on in the order they are observed.
func (s *Service) Observe(ctx context.Context, t Turn) {
	var started, relay, danger, ended bool
	for _, e := range t.Outcome.Events {
		switch {
		case e.Kind == bot.EventHandoffStarted:
			started = true
		case e.Kind == bot.EventRelay:
			relay = true
		case e.Kind == bot.EventDanger:
			danger = true
		case e.Kind == bot.EventHandoffEnded && e.Route == EndedResident:
			ended = true
		}
	}
	if !started && !relay && !ended {
		return
	}
	var ev bot.Event
	for _, e := range t.Outcome.Events {
		if e.Kind == bot.EventHandoffStarted {
			ev = e
		}
	}
	unlock := s.lock(t.Scope)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer unlock()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), workTimeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				s.cfg.Log.Error("handoff work panicked", "panic", fmt.Sprintf("%T", p))
			}
		}()
		var err error
		switch {
		case started:
			err = s.start(ctx, t, ev)
		case ended:
			err = s.residentEnded(ctx, t.Scope)
		case relay:
			err = s.relay(ctx, t.Scope, t.Text, danger, t.Outcome.State)
		}
		if err != nil {
			s.cfg.Log.Error("handoff step failed", "error", err.Error())
		}
	}()
}

// lock takes the scope's lock now, in the caller's goroutine, so that turns are worked on
// in the order they were observed; the returned func releases it.
func (s *Service) lock(scope string) func() {
	s.mu.Lock()
	l := s.locks[scope]
	if l == nil {
		l = &scopeLock{}
		s.locks[scope] = l
	}
	l.refs++
	s.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		s.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(s.locks, scope)
		}
		s.mu.Unlock()
	}
}

// Wait blocks until the background work started so far is done.
func (s *Service) Wait() { s.wg.Wait() }

// start opens a case: records first (so the sweeper ends it even if the card fails), then
// the card. A card that cannot be posted ends the handoff at once: the resident gets the
// numbers instead of waiting for nobody.
func (s *Service) start(ctx context.Context, t Turn, ev bot.Event) error {
	code, err := newCode()
	if err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	c := caseRecord{
		Code: code, Channel: t.Channel, Lang: ev.Lang, Topic: ev.Topic, Age: string(ev.Age),
		AgeMin: t.Outcome.State.AgeMin, AgeMax: t.Outcome.State.AgeMax,
		Started: now, Deadline: now.Add(s.cfg.Wait), Active: now,
	}
	if c.Lang == "" {
		c.Lang = t.Outcome.State.Lang
	}
	if t.Address != "" {
		sealed, err := s.seal.Seal(t.Scope, t.Address)
		if err != nil {
			return err
		}
		if err := s.cfg.Records.Put(ctx, t.Scope, keyTo, sealed, s.recordTTL()); err != nil {
			return fmt.Errorf("keep address: %w", err)
		}
	}
	if err := s.putCase(ctx, t.Scope, c); err != nil {
		return err
	}
	if err := s.index(ctx, code, caseIndex{Scope: t.Scope}); err != nil {
		return err
	}
	ts, err := s.cfg.Staff.PostCase(ctx, s.cfg.Channel, c.card())
	if err != nil {
		s.cfg.Log.Error("handoff card not posted; ending the handoff", "case", code, "error", err.Error())
		return s.end(ctx, code, EndedTimeout, "")
	}
	c.TS = ts
	if err := s.cfg.Records.Put(ctx, ThreadsScope, ts, []byte(code), s.recordTTL()); err != nil {
		return fmt.Errorf("index thread: %w", err)
	}
	if err := s.index(ctx, code, caseIndex{Scope: t.Scope, TS: ts}); err != nil {
		return err
	}
	// Staff may have taken the case already: change only the card's ts.
	if _, _, err := s.updateCase(ctx, t.Scope, func(c *caseRecord) { c.TS = ts }); err != nil {
		return err
	}
	s.cfg.Log.Info("handoff case opened", "case", code, "channel", t.Channel)
	return nil
}

// relay posts a resident's message in the case's thread, and keeps the language and age
// group the conversation has now (st) for the footer under staff replies. In an answered
// case the first message since staff's last reply starts an unanswered stretch; outside
// staffed hours it gets the waiting notice at once, except a danger message, whose reply
// with 112 must come first (the sweeper sends the notice after the wait).
func (s *Service) relay(ctx context.Context, scope, text string, danger bool, st bot.State) error {
	now := s.cfg.Clock.Now()
	c, ok, err := s.getCase(ctx, scope)
	if err != nil || !ok || c.TS == "" {
		return err
	}
	kind := NoteResident
	if danger {
		kind = NoteDanger
	}
	var errs []error
	if err := s.cfg.Staff.PostNote(ctx, s.cfg.Channel, c.TS, Note{Kind: kind, Text: text}); err != nil {
		// The stretch still starts: if staff never see this, the resident hears from the
		// sweeper instead of from nobody.
		errs = append(errs, fmt.Errorf("relay to thread: %w", err))
	}
	// Change the case as it is now, atomically: a staff reply may change it at the same
	// time, on any replica, and neither change may be lost.
	c, ok, err = s.updateCase(ctx, scope, func(c *caseRecord) {
		if st.Lang != "" {
			c.Lang = st.Lang
		}
		c.Age, c.AgeMin, c.AgeMax = string(st.Group()), st.AgeMin, st.AgeMax
		if c.Answered && c.Unanswered.IsZero() {
			c.Unanswered = now
		}
		c.Active = now
	})
	if err == nil && ok {
		err = s.keep(ctx, scope, c)
	}
	if err != nil || !ok {
		return errors.Join(append(errs, err)...)
	}
	if c.Answered && !danger && !s.staffed(now) {
		errs = append(errs, s.tellWaiting(ctx, scope, c, WaitedOffHours))
	}
	return errors.Join(errs...)
}

// staffed reports whether staff are on duty at t.
func (s *Service) staffed(t time.Time) bool { return s.cfg.Staffed == nil || s.cfg.Staffed(t) }

// tellWaiting sends the resident the waiting notice (staff have not been able to answer
// yet, the numbers for their age, 112) for the case's current unanswered stretch, once
// across replicas and sweeps, and tells staff in the thread, without a number. The case
// stays open: a later staff reply still reaches the resident.
func (s *Service) tellWaiting(ctx context.Context, scope string, c caseRecord, why string) error {
	stretch := c.Code + "@" + strconv.FormatInt(c.Unanswered.UnixNano(), 10)
	if _, done, err := s.cfg.Store.Remember(ctx, waitedScope, stretch, []byte(why), guardTTL); err != nil || done {
		return wrap("waiting guard", err)
	}
	var errs []error
	note := Note{Kind: NoteWaited, Reason: why}
	if err := s.deliver(ctx, scope, c, s.engine.HandoffWaiting(c.Lang, bot.AgeGroup(c.Age)).Text); err != nil {
		var held bool
		if note, held = undelivered(err, UndeliveredWaiting); !held {
			errs = append(errs, fmt.Errorf("waiting notice: %w", err))
		}
	}
	if c.TS != "" {
		if err := s.cfg.Staff.PostNote(ctx, s.cfg.Channel, c.TS, note); err != nil {
			errs = append(errs, fmt.Errorf("waiting note: %w", err))
		}
	}
	s.cfg.Log.Info("handoff waiting notice", "case", c.Code, "reason", why, "delivered", note.Kind == NoteWaited)
	return errors.Join(errs...)
}

// residentEnded closes the case of a resident who wrote STOPP. Their records are erased
// already, so the case is found through the index.
func (s *Service) residentEnded(ctx context.Context, scope string) error {
	all, err := s.cfg.Records.List(ctx, CasesScope)
	if err != nil {
		return fmt.Errorf("list cases: %w", err)
	}
	for code, b := range all {
		if ix, err := decodeIndex(b); err == nil && ix.Scope == scope {
			return s.end(ctx, code, EndedResident, "")
		}
	}
	return nil
}

// Take marks case code as taken by user, once: a second press by anyone does not change
// who took it. It reports who has the case.
func (s *Service) Take(ctx context.Context, code, user string) (string, error) {
	prev, taken, err := s.cfg.Store.Remember(ctx, takenScope, code, []byte(user), guardTTL)
	if err != nil {
		return "", fmt.Errorf("take case: %w", err)
	}
	if taken {
		return string(prev), nil
	}
	ix, ok, err := s.findIndex(ctx, code)
	if err != nil || !ok {
		return user, err
	}
	c, ok, err := s.updateCase(ctx, ix.Scope, func(c *caseRecord) { c.TakenBy = user })
	if err != nil || !ok {
		return user, err
	}
	if c.TS != "" {
		if err := s.cfg.Staff.UpdateCase(ctx, s.cfg.Channel, c.TS, c.card()); err != nil {
			return user, fmt.Errorf("update card: %w", err)
		}
	}
	s.cfg.Log.Info("handoff case taken", "case", code)
	return user, nil
}

// End ends case code because staff member user pressed Avsluta.
func (s *Service) End(ctx context.Context, code, user string) error {
	return s.end(ctx, code, EndedStaff, user)
}

// StaffReply sends text, a staff reply in the thread of the card at ts, to the resident,
// as written, with the handoff footer under it: 112 and the Brottsofferjouren number for
// the resident's age group (both while it is unknown), in the resident's language. A
// thread that is not a case's is ignored. The first reply stops the wait; every reply
// ends the resident's unanswered stretch.
func (s *Service) StaffReply(ctx context.Context, ts, user, text string) error {
	code, ok, err := s.cfg.Records.Get(ctx, ThreadsScope, ts)
	if err != nil || !ok {
		return err
	}
	scope, c, ok, err := s.lookup(ctx, string(code))
	if err != nil || !ok {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return nil
	}
	footer := s.engine.HandoffFooter(c.Lang, bot.AgeGroup(c.Age))
	if err := s.deliver(ctx, scope, c, text+footerSeparator+footer.Text); err != nil {
		s.cfg.Log.Warn("handoff reply not delivered now", "case", c.Code, "error", err.Error())
		note, held := undelivered(err, "")
		if nerr := s.cfg.Staff.PostNote(ctx, s.cfg.Channel, c.TS, note); nerr != nil {
			err = errors.Join(err, nerr)
			held = false
		}
		if !held {
			return err
		}
		// Held for the resident's next message: staff answered all the same.
	}
	// Change the case as it is now, atomically: the resident may have written while the
	// reply was sent, on any replica, and neither change may be lost.
	now := s.cfg.Clock.Now()
	if c, ok, err = s.updateCase(ctx, scope, func(c *caseRecord) {
		c.Answered, c.Unanswered, c.Active = true, time.Time{}, now
	}); err != nil || !ok {
		return err
	}
	return s.keep(ctx, scope, c)
}

// end ends case code once, whoever asks: for staff and timeout the resident's conversation
// is ended by a host turn and the resident gets its reply (the numbers); the address and
// the case's records are deleted; the card and thread say so.
func (s *Service) end(ctx context.Context, code, reason, user string) error {
	if _, done, err := s.cfg.Store.Remember(ctx, endedScope, code, []byte(reason), guardTTL); err != nil || done {
		return wrap("end guard", err)
	}
	ix, ok, err := s.findIndex(ctx, code)
	if err != nil || !ok {
		return err
	}
	scope := ix.Scope
	c, _, err := s.getCase(ctx, scope)
	if err != nil {
		return err
	}
	// The resident's records may be erased already (STOPP): the index still knows the card.
	c.Code, c.TS = code, ix.TS
	var errs []error
	var late []Note // what staff learn of the closing message, after the ended note
	deliver := func(text string) {
		if err := s.deliver(ctx, scope, c, text); err != nil {
			note, held := undelivered(err, "")
			late = append(late, note)
			if !held {
				errs = append(errs, err)
			}
		}
	}
	if reason != EndedResident {
		o, err := s.cfg.Conversations.Act(ctx, scope, c.Channel, func(st bot.State) bot.Result {
			if !st.Handoff {
				return bot.Result{State: st}
			}
			return s.engine.EndHandoff(st, reason)
		})
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("end conversation: %w", err))
			// The resident must not be left waiting for nobody: the numbers anyway.
			rep := s.engine.EndHandoff(c.state(), reason)
			deliver(joined(rep.Replies))
		case len(o.Replies) > 0:
			deliver(joined(o.Replies))
		case reason == EndedExpired:
			// Staff had the last word and the conversation expired before the case: the
			// resident still learns that the conversation with staff ended, with the numbers.
			rep := s.engine.EndHandoff(c.state(), reason)
			deliver(joined(rep.Replies))
		}
		for _, k := range []string{keyTo, keyCase} {
			errs = append(errs, s.cfg.Records.Delete(ctx, scope, k))
		}
	}
	errs = append(errs, s.cfg.Records.Delete(ctx, CasesScope, code))
	if c.TS != "" {
		errs = append(errs, s.cfg.Records.Delete(ctx, ThreadsScope, c.TS))
		card := c.card()
		card.Ended, card.EndedBy = reason, user
		if taken, ok, err := s.cfg.Store.Remember(ctx, takenScope, code, []byte("-"), guardTTL); err == nil && ok && string(taken) != "-" {
			card.TakenBy = string(taken)
		}
		errs = append(errs, s.cfg.Staff.UpdateCase(ctx, s.cfg.Channel, c.TS, card))
		errs = append(errs, s.cfg.Staff.PostNote(ctx, s.cfg.Channel, c.TS, Note{Kind: NoteEnded, Reason: reason, By: user}))
		for _, n := range late {
			errs = append(errs, s.cfg.Staff.PostNote(ctx, s.cfg.Channel, c.TS, n))
		}
	}
	s.cfg.Log.Info("handoff case ended", "case", code, "reason", reason)
	return errors.Join(errs...)
}

// deliveryNote is an outbox's error that says, for staff, what became of a message that
// did not reach the resident now (the WhatsApp outbox's *whatsapp.Undelivered): why, as
// the Reason of a NoteUndelivered, and whether the outbox holds the message for the
// resident's next message, so the case goes on as if it was delivered.
type deliveryNote interface {
	error
	UndeliveredReason() string
	Held() bool
}

// undelivered is the note staff get for a delivery that failed with err: the outbox's
// reason when it gives one, else fallback; and whether the message is held.
func undelivered(err error, fallback string) (Note, bool) {
	var dn deliveryNote
	if errors.As(err, &dn) {
		return Note{Kind: NoteUndelivered, Reason: dn.UndeliveredReason()}, dn.Held()
	}
	return Note{Kind: NoteUndelivered, Reason: fallback}, false
}

// Undelivered tells staff in the thread of the open case of scope's resident that a
// message sent to them failed later, for reason (an outbox's, e.g. found in a status
// callback). Without an open case it does nothing.
func (s *Service) Undelivered(ctx context.Context, scope, reason string) error {
	c, ok, err := s.getCase(ctx, scope)
	if err != nil || !ok || c.TS == "" {
		return err
	}
	s.cfg.Log.Info("handoff message failed later", "case", c.Code, "reason", reason)
	return s.cfg.Staff.PostNote(ctx, s.cfg.Channel, c.TS, Note{Kind: NoteUndelivered, Reason: reason})
}

// deliver sends text to the resident through their channel.
func (s *Service) deliver(ctx context.Context, scope string, c caseRecord, text string) error {
	out := s.cfg.Outboxes[c.Channel]
	if out == nil {
		return fmt.Errorf("no outbox for channel %q", c.Channel)
	}
	addr := ""
	if sealed, ok, err := s.cfg.Records.Get(ctx, scope, keyTo); err != nil {
		return fmt.Errorf("read address: %w", err)
	} else if ok {
		if addr, err = s.seal.Open(scope, sealed); err != nil {
			return err
		}
	}
	if err := out.Deliver(ctx, scope, addr, text); err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	return nil
}

// lookup finds the open case of code.
func (s *Service) lookup(ctx context.Context, code string) (string, caseRecord, bool, error) {
	ix, ok, err := s.findIndex(ctx, code)
	if err != nil || !ok {
		return "", caseRecord{}, false, err
	}
	c, ok, err := s.getCase(ctx, ix.Scope)
	return ix.Scope, c, ok, err
}

// caseIndex is a case's entry in CasesScope: whose it is and where its card is.
type caseIndex struct {
	Scope string `json:"scope"`
	TS    string `json:"ts,omitempty"`
}

func decodeIndex(b []byte) (caseIndex, error) {
	var ix caseIndex
	if err := json.Unmarshal(b, &ix); err != nil || ix.Scope == "" {
		return caseIndex{}, fmt.Errorf("decode case index: unreadable")
	}
	return ix, nil
}

func (s *Service) index(ctx context.Context, code string, ix caseIndex) error {
	b, err := json.Marshal(ix)
	if err != nil {
		return fmt.Errorf("encode case index: %w", err)
	}
	if err := s.cfg.Records.Put(ctx, CasesScope, code, b, s.recordTTL()); err != nil {
		return fmt.Errorf("index case: %w", err)
	}
	return nil
}

func (s *Service) findIndex(ctx context.Context, code string) (caseIndex, bool, error) {
	b, ok, err := s.cfg.Records.Get(ctx, CasesScope, code)
	if err != nil || !ok {
		return caseIndex{}, false, wrap("find case", err)
	}
	ix, err := decodeIndex(b)
	return ix, err == nil, err
}

func (s *Service) getCase(ctx context.Context, scope string) (caseRecord, bool, error) {
	b, ok, err := s.cfg.Records.Get(ctx, scope, keyCase)
	if err != nil || !ok {
		return caseRecord{}, false, wrap("read case", err)
	}
	c, err := decodeCase(b)
	return c, err == nil, err
}

// updateCase changes the resident's case with change, atomically (store.Update): no change
// made at the same time by another step, on any replica, is lost. change may run more than
// once, each time on the case as stored then. It returns the case as stored after the
// change, and false (nothing written) when there is no case: one ended meanwhile is not
// brought back.
func (s *Service) updateCase(ctx context.Context, scope string, change func(*caseRecord)) (caseRecord, bool, error) {
	var c caseRecord
	var ok bool
	err := store.Update(ctx, s.cfg.Records, scope, keyCase, s.recordTTL(), func(old []byte, found bool) ([]byte, bool, error) {
		c, ok = caseRecord{}, found
		if !found {
			return nil, false, nil
		}
		var err error
		if c, err = decodeCase(old); err != nil {
			return nil, false, err
		}
		change(&c)
		b, err := jsonMarshal(c)
		return b, err == nil, err
	})
	if err != nil {
		return caseRecord{}, false, fmt.Errorf("keep case: %w", err)
	}
	return c, ok, nil
}

func (s *Service) putCase(ctx context.Context, scope string, c caseRecord) error {
	b, err := jsonMarshal(c)
	if err != nil {
		return err
	}
	if err := s.cfg.Records.Put(ctx, scope, keyCase, b, s.recordTTL()); err != nil {
		return fmt.Errorf("keep case: %w", err)
	}
	return nil
}

// keep keeps the records beside case c, just stored (the number, the two indexes), for
// another TTL, so that none of them runs out while the case goes on.
func (s *Service) keep(ctx context.Context, scope string, c caseRecord) error {
	if err := s.index(ctx, c.Code, caseIndex{Scope: scope, TS: c.TS}); err != nil {
		return err
	}
	if c.TS != "" {
		if err := s.cfg.Records.Put(ctx, ThreadsScope, c.TS, []byte(c.Code), s.recordTTL()); err != nil {
			return fmt.Errorf("index thread: %w", err)
		}
	}
	sealed, ok, err := s.cfg.Records.Get(ctx, scope, keyTo)
	if err != nil {
		return fmt.Errorf("read address: %w", err)
	}
	if ok {
		if err := s.cfg.Records.Put(ctx, scope, keyTo, sealed, s.recordTTL()); err != nil {
			return fmt.Errorf("keep address: %w", err)
		}
	}
	return nil
}

// recordTTL is how long a case's records are kept from its last activity.
func (s *Service) recordTTL() time.Duration { return s.cfg.TTL + recordGrace }

// joined joins replies into one message, one paragraph each.
func joined(rs []bot.Reply) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Text
	}
	return strings.Join(parts, "\n\n")
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
