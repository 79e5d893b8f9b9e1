package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Window names a rate-limit window for Admit: Hit(scope, Name, TTL), and the count past
// which a message is over the limit.
type Window struct {
	Name  string
	TTL   time.Duration
	Limit int64
}

// Admission is what a channel asks of the store before a turn: reserve the message id,
// count the message in the sender's window and then in the global one, and load the
// conversation. Admit does these as the separate calls would, in order, stopping where
// they would stop, with two differences that bound what one sender costs (the separate
// calls of AdmitEach have neither): a message past Sender.Limit+1 is counted but not
// reserved, and with Keep the scope keeps only its last Keep reservations.
type Admission struct {
	// ID, Value and TTL are the reservation: Remember(scope, ID, Value, TTL).
	ID    string
	Value []byte
	TTL   time.Duration
	// Sender is counted under scope unless the id was reserved before; Global under the
	// global scope "" unless the sender's count is past Sender.Limit.
	Sender, Global Window
	// Keep, when positive, bounds the reservations scope keeps: its last Keep reserved
	// ids, each with the answer remembered under AnswerID(id). Reserving one more
	// forgets the oldest reservation and its answer, so a sender costs the same memory
	// however much it writes. Zero keeps every reservation for its TTL.
	Keep int
}

// AnswerID is the id under which a channel remembers its answer to the message reserved
// as id (Remember or SaveRemember): Admit with Keep forgets it with the reservation.
func AnswerID(id string) string { return id + AnswerSuffix }

// AnswerSuffix turns a reserved id into the id of its answer (AnswerID).
const AnswerSuffix = ":reply"

// AdmitResult is what Admit found.
type AdmitResult struct {
	// Duplicate is true when the id was reserved before; Prev is the value stored then.
	// Nothing was counted.
	Duplicate bool
	Prev      []byte
	// Reserved is true when the id is reserved now: false for a duplicate and for a
	// message past Sender.Limit+1, which Admit counts but does not keep (the separate
	// calls reserve every message). A channel remembers an answer only to a reserved id.
	Reserved bool
	// Sender is the sender's count (0 for a duplicate); Global the global count, 0 when
	// it was not counted (a duplicate or a sender past its limit).
	Sender, Global int64
	// Conv is the conversation of scope when Loaded, for the turn's first attempt: a store
	// that batches Admit loads it with the rest when the message is within the limits. It
	// is never older than the moment Admit was called; the turn's save checks its version.
	Conv   Conversation
	Loaded bool
}

// Admitter is a Store that does Admit in fewer round trips than the separate calls.
type Admitter interface {
	Admit(ctx context.Context, scope string, a Admission) (AdmitResult, error)
}

// Admit runs a on s: with s's own Admit when it has one, else with the separate calls.
func Admit(ctx context.Context, s Store, scope string, a Admission) (AdmitResult, error) {
	if ad, ok := s.(Admitter); ok {
		return ad.Admit(ctx, scope, a)
	}
	return AdmitEach(ctx, s, scope, a)
}

// AdmitEach runs a on s with the separate calls: Remember, Hit, Hit. It loads nothing
// (Loaded is false): the turn loads, bounded as a turn is. It reserves every message that
// is not a duplicate and ignores Keep: only a store's own Admit bounds what a sender keeps.
func AdmitEach(ctx context.Context, s Store, scope string, a Admission) (AdmitResult, error) {
	prev, dup, err := s.Remember(ctx, scope, a.ID, a.Value, a.TTL)
	if err != nil {
		return AdmitResult{}, fmt.Errorf("reserve message: %w", err)
	}
	if dup {
		return AdmitResult{Duplicate: true, Prev: prev}, nil
	}
	r := AdmitResult{Reserved: true}
	if r.Sender, err = s.Hit(ctx, scope, a.Sender.Name, a.Sender.TTL); err != nil {
		return AdmitResult{}, fmt.Errorf("count sender: %w", err)
	}
	if r.Sender > a.Sender.Limit {
		return r, nil
	}
	if r.Global, err = s.Hit(ctx, "", a.Global.Name, a.Global.TTL); err != nil {
		return AdmitResult{}, fmt.Errorf("count all senders: %w", err)
	}
	return r, nil
}

// ReplySaver is a Store that saves a conversation and remembers the reply to the message
// that changed it in one step: both or, on a conflict, neither.
type ReplySaver interface {
	// SaveRemember is Save(scope, c, ttl) and, when it succeeds, Remember(scope, id,
	// value, rememberTTL). It returns the new version, or ErrConflict with nothing stored.
	SaveRemember(ctx context.Context, scope string, c Conversation, ttl time.Duration, id string, value []byte, rememberTTL time.Duration) (int64, error)
}

// SaveRemember runs Save and Remember on s: with s's own SaveRemember when it has one,
// else one after the other (a failed Remember is then returned wrapped in ErrRemember, the
// conversation being saved).
func SaveRemember(ctx context.Context, s Store, scope string, c Conversation, ttl time.Duration, id string, value []byte, rememberTTL time.Duration) (int64, error) {
	if rs, ok := s.(ReplySaver); ok {
		return rs.SaveRemember(ctx, scope, c, ttl, id, value, rememberTTL)
	}
	v, err := s.Save(ctx, scope, c, ttl)
	if err != nil {
		return 0, err
	}
	if _, _, err := s.Remember(ctx, scope, id, value, rememberTTL); err != nil {
		return v, fmt.Errorf("%w: %w", ErrRemember, err)
	}
	return v, nil
}

// ErrRemember is returned by SaveRemember when the conversation was saved but the reply
// could not be remembered.
var ErrRemember = errors.New("store: saved, but the reply was not remembered")
