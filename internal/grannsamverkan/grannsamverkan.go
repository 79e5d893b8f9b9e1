// Package grannsamverkan is the host side of Grannsamverkan by SMS: one-time invite codes
// staff create for an area, the register of kontaktombud who joined with one, and the area
// alerts staff send them from Slack.
//
// The engine (bot/, flows/main.yaml) holds the conversation: OMBUD <kod> offers to join and
// asks for JA, OMBUD SLUTA leaves. Service is a conversation.Feature: before each turn it
// tells the engine whether the message holds a valid invite code and which areas have
// active ombud (Before, Prepare), and after an SMS turn it acts on the events with the
// sender's number, the message's address (After, AfterTurn).
//
// The register holds, per ombud, a short id, the area, the date joined, an active flag, the
// phone number encrypted with AES-GCM under a key derived from TRYGG_SECRET, and a keyed
// hash of the number to find the ombud again (OMBUD SLUTA, STOPP, Twilio's 21610). No
// number is stored in plain text and none is ever shown to staff or logged.
package grannsamverkan

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/seal"
	"github.com/vasteras/trygg/internal/store"
)

// Store scopes and keys of the register.
const (
	// invitesScope holds the invite codes by normalised code.
	invitesScope = "gs-invites"
	// inviteUsedScope is the once-guard of a code: two replicas cannot both use it.
	inviteUsedScope = "gs-invite-used"
	// pendingKey holds, under the resident's own scope, the invite code of their OMBUD
	// message until they answer JA; STOPP erases it with the conversation.
	pendingKey = "gs_pending"
	// ombudScopePrefix + area holds that area's ombud by id.
	ombudScopePrefix = "gs-ombud:"
	// byHashScope maps the keyed hash of a number to "area/id/active".
	byHashScope = "gs-ombud-by-hash"
	// hashChannel is the pseudonym channel of an ombud's number in the lookup hash.
	hashChannel = "ombud"
	// phoneKeyPurpose names the AES key of the numbers.
	phoneKeyPurpose = "ombud-phone"
)

// Durations of the register.
const (
	// InviteValid is how long a new invite code can be used.
	InviteValid = 30 * 24 * time.Hour
	// inviteKeep is how long an invite record is kept: past its validity, so a late try
	// is told apart from a wrong code in the logs' counts.
	inviteKeep = InviteValid + 7*24*time.Hour
	// PendingTTL is how long an OMBUD message waits for its JA.
	PendingTTL = 30 * time.Minute
	// RegisterTTL is how long a registration is kept: until the ombud leaves, in practice.
	RegisterTTL = 10 * 365 * 24 * time.Hour
	// DefaultCacheFor is how long the count of active ombud per area is cached.
	DefaultCacheFor = 5 * time.Second
	// correctTimeout bounds sending a resident that they are not registered after all.
	correctTimeout = time.Minute
)

// ErrUnknownArea is returned for an area that is not in flows/places.yaml.
var ErrUnknownArea = errors.New("grannsamverkan: unknown area")

// ErrNotFound is returned for an ombud id that is not in the register.
var ErrNotFound = errors.New("grannsamverkan: no such ombud")

// Config holds what a Service needs.
type Config struct {
	// Records keeps the invites and the register (Redis when replicas share it).
	Records store.Records
	// Guard gives the once-guards (store.Store.Remember).
	Guard Guard
	// Hasher derives the number's lookup hash and encryption key from TRYGG_SECRET.
	Hasher *pseudonym.Hasher
	// Areas are the areas of flows/places.yaml, id → name.
	Areas map[string]string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives what happened, never a number; nil discards.
	Log *slog.Logger
	// CacheFor is how long the active areas are cached; 0 means DefaultCacheFor.
	CacheFor time.Duration
	// NotRegistered sends the resident with number to, in lang, that they are not
	// registered as kontaktombud after all (bot.Engine.OmbudNotRegistered by SMS): for a
	// JA that was answered with the registration but lost the invite at the last moment.
	// Nil: only logged.
	NotRegistered func(ctx context.Context, to, lang string) error
	// IsYes reports whether a message answers yes (bot.Engine.Says(text, "yes")). Only a
	// yes to the offer can need to know whether the invite is still held, so Prepare reads
	// the hold for those messages alone and an SMS turn keeps its two Redis round trips.
	// Nil reads it for every message.
	IsYes func(text string) bool
}

// Guard stores a value once: store.Store's Remember.
type Guard interface {
	Remember(ctx context.Context, scope, id string, value []byte, ttl time.Duration) ([]byte, bool, error)
}

// Service keeps the invites and the register. It is safe for concurrent use.
type Service struct {
	cfg    Config
	cipher *seal.Box
	wg     sync.WaitGroup // notices sent in the background

	mu        sync.Mutex
	cached    []string
	cachedAt  time.Time
	haveCache bool
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Records == nil || cfg.Guard == nil || cfg.Hasher == nil {
		return nil, errors.New("grannsamverkan: Records, Guard and Hasher are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.CacheFor <= 0 {
		cfg.CacheFor = DefaultCacheFor
	}
	c, err := seal.New(cfg.Hasher.Key(phoneKeyPurpose))
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, cipher: c}, nil
}

// Area returns the area id of s, an id or a name from flows/places.yaml in any case
// ("backby", "Bäckby", "BÄCKBY"), and its name.
func (s *Service) Area(name string) (id, display string, err error) {
	key := norm.NFC.String(strings.ToLower(strings.Join(strings.Fields(name), " ")))
	if n, ok := s.cfg.Areas[key]; ok {
		return key, n, nil
	}
	for id, n := range s.cfg.Areas {
		if norm.NFC.String(strings.ToLower(n)) == key {
			return id, n, nil
		}
	}
	return "", "", fmt.Errorf("%w: %q", ErrUnknownArea, name)
}

// AreaName returns the name of area id, or the id.
func (s *Service) AreaName(id string) string {
	if n, ok := s.cfg.Areas[id]; ok {
		return n
	}
	return id
}

// randomCode returns n characters drawn uniformly from alphabet with crypto/rand.
func randomCode(alphabet string, n int) string {
	limit := 256 - 256%len(alphabet) // bytes at or past limit would bias the draw
	out := make([]byte, 0, n)
	b := make([]byte, 1)
	for len(out) < n {
		_, _ = rand.Read(b) // never fails: crypto/rand crashes the program instead
		if int(b[0]) < limit {
			out = append(out, alphabet[int(b[0])%len(alphabet)])
		}
	}
	return string(out)
}
