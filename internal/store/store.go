// Package store keeps what trygg must remember between a resident's messages: the
// conversation state, replies already given (so a retried webhook is answered once), short
// rate-limit windows and aggregate, person-free statistics.
//
// Everything about one resident lives under a scope, the resident's pseudonym (never a phone
// number). Erase removes every record of a scope at once, which is what STOPP/RADERA promise.
// Two implementations exist: Memory (the default, one process) and Redis (any number of
// replicas). Both must pass the conformance suite in package storetest.
package store

import (
	"context"
	"errors"
	"time"
)

// ErrConflict is returned by Save when the conversation changed since it was loaded.
// The caller runs the turn again on fresh state.
var ErrConflict = errors.New("store: conversation changed since it was loaded")

// Conversation is the stored state of one resident's conversation.
type Conversation struct {
	// Data is the engine's encoded state; nil when nothing is stored.
	Data []byte
	// Version is 0 when nothing is stored and grows by one with every save.
	Version int64
}

// Store is what channels need to run conversations. Implementations are safe for concurrent use.
type Store interface {
	// Load returns the conversation of scope, or a zero Conversation when there is none.
	Load(ctx context.Context, scope string) (Conversation, error)
	// Save stores data for scope if the stored version is still c.Version (0: nothing stored),
	// and keeps it for ttl. It returns the new version, or ErrConflict.
	Save(ctx context.Context, scope string, c Conversation, ttl time.Duration) (int64, error)
	// Erase deletes every record of scope: conversation, remembered replies, rate windows
	// and anything a channel keeps under the scope.
	Erase(ctx context.Context, scope string) error
	// Remember stores value under (scope, id) unless something is stored there already, and
	// keeps it for ttl. It returns the value stored before and true, or nil and false when
	// value was stored now. Used to answer a retried webhook once (id = the message id).
	Remember(ctx context.Context, scope, id string, value []byte, ttl time.Duration) ([]byte, bool, error)
	// Hit counts one event in the window named window under scope and returns the count so
	// far. The window starts with the first hit and lasts ttl. Scope "" is the global scope.
	Hit(ctx context.Context, scope, window string, ttl time.Duration) (int64, error)
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// ContextBound is implemented by a store whose every call returns soon after its context
// ends (Memory never blocks; the Redis store's client honours deadlines). A caller may then
// call it inline under a deadline rather than guard each call with a goroutine. A store
// that may block past its context must not claim it.
type ContextBound interface {
	HonorsContext() bool
}

// HonorsContext reports whether s promises to return soon after its context ends.
func HonorsContext(s any) bool {
	cb, ok := s.(ContextBound)
	return ok && cb.HonorsContext()
}

// Records keeps small values under a scope, for what channels keep beside a conversation
// (a handoff's case, an ombud's registration). Erase of the scope removes them too. Values
// are opaque: a caller that stores anything personal encrypts it first.
type Records interface {
	// Put stores value under (scope, key), replacing what was there, kept for ttl.
	Put(ctx context.Context, scope, key string, value []byte, ttl time.Duration) error
	// Get returns the value under (scope, key) and true, or nil and false.
	Get(ctx context.Context, scope, key string) ([]byte, bool, error)
	// Delete removes the value under (scope, key); a missing value is no error.
	Delete(ctx context.Context, scope, key string) error
	// List returns every value under scope by key.
	List(ctx context.Context, scope string) (map[string][]byte, error)
	// CompareAndPut stores value under (scope, key), kept for ttl, if the record there is
	// still old (byte for byte; old nil: no record, an empty non-nil old: an empty one). It
	// reports whether it stored value; false means the record changed and nothing was
	// written. Update builds a read-modify-write on it.
	CompareAndPut(ctx context.Context, scope, key string, old, value []byte, ttl time.Duration) (bool, error)
}

// Stats holds aggregate counters bucketed by day. Counters never name a person: their names
// are like "route:boj_youth" or "lang:fi".
type Stats interface {
	// Count adds n to counter name on day (a date in Europe/Stockholm, "2006-01-02").
	Count(ctx context.Context, day, name string, n int64) error
	// Counts returns the sums of all counters over the days from..to (inclusive).
	Counts(ctx context.Context, from, to string) (map[string]int64, error)
}

// StatsTTL is how long a day's counters are kept.
const StatsTTL = 400 * 24 * time.Hour
