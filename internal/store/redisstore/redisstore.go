// Package redisstore keeps trygg's store in Redis, so any number of trygg replicas share
// conversations, remembered replies, rate windows and statistics, and a restarted replica
// loses nothing. It works with a single server, Sentinel and Cluster through go-redis'
// UniversalClient.
//
// Keys are designed for Cluster. Every key starts with Prefix ("trygg:"). Everything of one
// resident lives in three keys that share the hash tag of the resident's scope, so they
// sit in one slot and one Lua script or one DEL can touch them together:
//
//	trygg:{<scope>}:conv  string "<version>:<token><state>"             TTL: the conversation TTL
//	trygg:{<scope>}:once  hash id → "<expiry ms>:<token><value>"        TTL: the longest Remember ttl
//	                      (a resident's: its last Keep reservations and their replies, see keep)
//	trygg:{<scope>}:hit   hash window → "<expiry ms>:<count>"           TTL: the longest open window
//	trygg:stats:<day>     hash counter → n                              TTL: store.StatsTTL
//
// A scope made only of letters, digits and "._:-" (every pseudonym) is its own tag; any
// other scope is written as '~' plus its base64url, so '{', '}' or glob characters in a
// scope cannot break the tag. The global scope "" has the tag "~".
//
// Load is one round trip (GET) and Save is one (a compare-and-set Lua script), so a turn
// costs two in the common case. An SMS turn is two as well: Admit (a pipeline: reserve the
// message, count both windows, load) and SaveRemember (save and remember the reply in one
// script). Erase is one DEL of the scope's three keys.
package redisstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store"
)

// The client's timeouts and retries. A dead Redis must be noticed well inside the 1.5 s a
// turn may take, so the resident still gets the safety reply in time. A URL may set its own
// (dial_timeout=…, read_timeout=…, …); these apply where it does not.
const (
	DialTimeout  = time.Second
	ReadTimeout  = 500 * time.Millisecond
	WriteTimeout = 500 * time.Millisecond
	PoolTimeout  = time.Second
	// MaxRetries is 0: a command that fails is not sent again by the client. A failed turn
	// gets the safety reply at once instead of spending its time budget on a Redis that
	// is gone, and go-redis checks a pooled connection before using it, so one that broke
	// while idle costs no failure. (The Cluster client still resends on a timeout; Save and
	// Remember are safe to resend, see the scripts.)
	MaxRetries = 0
	// DialAttempts is 1: a refused connection fails the command at once, without go-redis'
	// default of five dial attempts 100 ms apart.
	DialAttempts = 1
)

// MaxMemoryPolicy is the eviction policy trygg's Redis must run with (maxmemory-policy),
// together with a maxmemory. Every key trygg writes has a TTL, and volatile-ttl evicts the
// keys closest to expiring first: the conversations, remembered replies and rate windows
// of the residents who have been silent longest (each kept TRYGG_CONVERSATION_TTL after
// their last message), long before the statistics (400 days), the lägesbild (730 days) or
// the Grannsamverkan register. So a full Redis forgets its oldest conversations, and those
// residents start afresh, instead of refusing every write, which would answer every
// resident with the safety reply (noeviction). volatile-lru and allkeys-lru would evict
// the long-lived records first, being the least recently used.
const MaxMemoryPolicy = "volatile-ttl"

// noRetries is how go-redis' options say MaxRetries; 0 there means its default of 3.
const noRetries = -1

// Config names the Redis to connect to: URL, or Addrs with an optional MasterName.
type Config struct {
	// URL is a redis:// or rediss:// (TLS) URL for one server (REDIS_URL).
	URL string
	// Addrs are several Cluster nodes, or with MasterName the Sentinels (REDIS_ADDRS).
	Addrs []string
	// MasterName makes Addrs Sentinels of this master (REDIS_MASTER_NAME).
	MasterName string
}

// Store is a store.Store and store.Stats in Redis. It is safe for concurrent use.
type Store struct {
	rdb redis.UniversalClient
	// bounded is true when Open built the client, with ContextTimeoutEnabled and short
	// timeouts: every call then returns soon after its context ends.
	bounded bool
}

// Compile-time checks that Store keeps both contracts.
var (
	_ store.Store = (*Store)(nil)
	_ store.Stats = (*Store)(nil)
)

// Open returns a Store connected as cfg says. It does not contact Redis: a Redis that is
// down at start-up is reported by Ping, and the client connects when it is back.
// Errors never repeat the URL, which may hold a password.
func Open(cfg Config) (*Store, error) {
	switch {
	case cfg.URL != "" && len(cfg.Addrs) > 0:
		return nil, errors.New("redis store: set a URL or addresses, not both")
	case cfg.URL != "":
		opts, err := redis.ParseURL(cfg.URL)
		if err != nil {
			var uerr *url.Error
			if errors.As(err, &uerr) {
				return nil, errors.New("redis store: the URL is not valid")
			}
			return nil, fmt.Errorf("redis store: the URL: %w", err)
		}
		opts.DialTimeout = orDefault(opts.DialTimeout, DialTimeout)
		opts.ReadTimeout = orDefault(opts.ReadTimeout, ReadTimeout)
		opts.WriteTimeout = orDefault(opts.WriteTimeout, WriteTimeout)
		opts.PoolTimeout = orDefault(opts.PoolTimeout, PoolTimeout)
		if opts.MaxRetries == 0 {
			opts.MaxRetries = noRetries
		}
		if opts.DialerRetries == 0 {
			opts.DialerRetries = DialAttempts
		}
		opts.ContextTimeoutEnabled = true
		return &Store{rdb: redis.NewClient(opts), bounded: true}, nil
	case len(cfg.Addrs) > 0:
		return &Store{rdb: redis.NewUniversalClient(UniversalOptions(cfg.Addrs, cfg.MasterName)), bounded: true}, nil
	}
	return nil, errors.New("redis store: no URL and no addresses")
}

// UniversalOptions returns the client options for addrs (several: a Cluster; with
// masterName: Sentinels) with trygg's timeouts.
func UniversalOptions(addrs []string, masterName string) *redis.UniversalOptions {
	return &redis.UniversalOptions{
		Addrs:                 addrs,
		MasterName:            masterName,
		DialTimeout:           DialTimeout,
		ReadTimeout:           ReadTimeout,
		WriteTimeout:          WriteTimeout,
		PoolTimeout:           PoolTimeout,
		MaxRetries:            noRetries,
		DialerRetries:         DialAttempts,
		ContextTimeoutEnabled: true,
	}
}

// orDefault returns d unless it is zero, then def.
func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// New returns a Store on rdb. The Store owns rdb: Close closes it.
func New(rdb redis.UniversalClient) *Store { return &Store{rdb: rdb} }

// Client returns the store's client, for hooks and inspection in tests and tools.
func (s *Store) Client() redis.UniversalClient { return s.rdb }

// ms converts a ttl to whole milliseconds, at least 1, for PEXPIRE.
func ms(ttl time.Duration) int64 { return max(ttl.Milliseconds(), 1) }

// checkTTL rejects a ttl that would store a record forever or not at all.
func checkTTL(op string, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redis store: %s: ttl %v is not positive", op, ttl)
	}
	return nil
}

// Load returns the conversation of scope in one round trip (GET), or a zero Conversation
// when there is none.
func (s *Store) Load(ctx context.Context, scope string) (store.Conversation, error) {
	if err := ctx.Err(); err != nil {
		return store.Conversation{}, fmt.Errorf("redis store: load: %w", err)
	}
	b, err := s.rdb.Get(ctx, keysOf(scope).conv).Bytes()
	if errors.Is(err, redis.Nil) {
		return store.Conversation{}, nil
	}
	if err != nil {
		return store.Conversation{}, fmt.Errorf("redis store: load: %w", err)
	}
	c, err := decodeConv(b)
	if err != nil {
		return store.Conversation{}, fmt.Errorf("redis store: load: %w", err)
	}
	return c, nil
}

// decodeConv reads a stored conversation, "<version>:<token><data>" (see saveScript).
func decodeConv(b []byte) (store.Conversation, error) {
	i := bytes.IndexByte(b, ':')
	if i < 0 || len(b) < i+1+tokenLen {
		return store.Conversation{}, errors.New("stored conversation is malformed")
	}
	version, err := strconv.ParseInt(string(b[:i]), 10, 64)
	if err != nil || version < 1 {
		return store.Conversation{}, fmt.Errorf("stored conversation has version %q", b[:i])
	}
	return store.Conversation{Data: b[i+1+tokenLen:], Version: version}, nil
}

// Save stores c.Data for scope if the stored version is still c.Version, in one round
// trip (a Lua script), and keeps it for ttl. It returns the new version or
// store.ErrConflict.
func (s *Store) Save(ctx context.Context, scope string, c store.Conversation, ttl time.Duration) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("redis store: save: %w", err)
	}
	if err := checkTTL("save", ttl); err != nil {
		return 0, err
	}
	v, err := saveScript.Run(ctx, s.rdb, []string{keysOf(scope).conv}, c.Version, c.Data, ms(ttl), newToken()).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis store: save: %w", err)
	}
	if v < 0 {
		return 0, store.ErrConflict
	}
	return v, nil
}

// Erase deletes every key of scope (conversation, remembered values, rate windows) with
// one DEL; they share a slot.
func (s *Store) Erase(ctx context.Context, scope string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redis store: erase: %w", err)
	}
	if err := s.rdb.Del(ctx, keysOf(scope).all()...).Err(); err != nil {
		return fmt.Errorf("redis store: erase: %w", err)
	}
	return nil
}

// Remember stores value under (scope, id) for ttl unless an unexpired value is there
// already; then it returns that value and true. One round trip.
func (s *Store) Remember(ctx context.Context, scope, id string, value []byte, ttl time.Duration) ([]byte, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("redis store: remember: %w", err)
	}
	if err := checkTTL("remember", ttl); err != nil {
		return nil, false, err
	}
	res, err := rememberScript.Run(ctx, s.rdb, []string{keysOf(scope).once}, id, value, ms(ttl), newToken()).Slice()
	if err != nil {
		return nil, false, fmt.Errorf("redis store: remember: %w", err)
	}
	if len(res) == 2 {
		prev, ok := res[1].(string)
		if !ok {
			return nil, false, fmt.Errorf("redis store: remember: unexpected reply %T", res[1])
		}
		return []byte(prev), true, nil
	}
	return nil, false, nil
}

// Hit counts one event in the fixed window named window under scope and returns the count
// so far. The first hit opens the window for ttl; later hits do not extend it. One round
// trip.
func (s *Store) Hit(ctx context.Context, scope, window string, ttl time.Duration) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("redis store: hit: %w", err)
	}
	if err := checkTTL("hit", ttl); err != nil {
		return 0, err
	}
	var n int64
	var err error
	if scope == "" {
		n, err = counterScript.Run(ctx, s.rdb, []string{counter(window)}, ms(ttl)).Int64()
	} else {
		n, err = hitScript.Run(ctx, s.rdb, []string{keysOf(scope).hit}, window, ms(ttl)).Int64()
	}
	if err != nil {
		return 0, fmt.Errorf("redis store: hit: %w", err)
	}
	return n, nil
}

// HonorsContext reports whether every call returns soon after its context ends: true for a
// store Open built (its client honours deadlines), false for a client given to New.
func (s *Store) HonorsContext() bool { return s.bounded }

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis store: ping: %w", err)
	}
	return nil
}

// EvictionPolicy returns the server's maxmemory-policy (CONFIG GET), so trygg can warn at
// start-up when it is not MaxMemoryPolicy. A server that refuses CONFIG (many managed
// services rename it) gives an error; so does a reply without the setting.
func (s *Store) EvictionPolicy(ctx context.Context) (string, error) {
	m, err := s.rdb.ConfigGet(ctx, "maxmemory-policy").Result()
	if err != nil {
		return "", fmt.Errorf("redis store: config get maxmemory-policy: %w", err)
	}
	p, ok := m["maxmemory-policy"]
	if !ok {
		return "", errors.New("redis store: config get maxmemory-policy: no such setting")
	}
	return p, nil
}

// Close closes the client's connections.
func (s *Store) Close() error {
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("redis store: close: %w", err)
	}
	return nil
}
