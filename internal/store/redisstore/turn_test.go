package redisstore_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
	"github.com/vasteras/trygg/locales"
)

// backend is a Redis the turn tests run against.
type backend struct {
	name string
	// fresh is true when the server holds nothing but what the test writes.
	fresh bool
	open  func(t *testing.T) *redisstore.Store
}

// backends lists miniredis, and the real server and Cluster when the environment names
// them (else their subtests skip).
func backends() []backend {
	return []backend{
		{name: "miniredis", fresh: true, open: func(t *testing.T) *redisstore.Store {
			return openURL(t, redistest.StartMini(t).URL())
		}},
		{name: "redis", open: func(t *testing.T) *redisstore.Store {
			return openURL(t, redistest.URL(t))
		}},
		{name: "cluster", open: func(t *testing.T) *redisstore.Store {
			return openCluster(t, redistest.ClusterAddrs(t))
		}},
	}
}

// eachBackend runs test on every backend, each with a store closed when it ends.
func eachBackend(t *testing.T, test func(t *testing.T, b backend, s *redisstore.Store)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t)
			defer s.Close()
			test(t, b, s)
		})
	}
}

var (
	engineOnce sync.Once
	engine     *bot.Engine
	engineErr  error
)

// newService returns a conversation.Service with trygg's real engine and flows on s.
func newService(t testing.TB, s store.Store) *conversation.Service {
	t.Helper()
	engineOnce.Do(func() {
		set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
		if err != nil {
			engineErr = err
			return
		}
		engine = bot.New(set, bot.Options{})
	})
	if engineErr != nil {
		t.Fatalf("load flows: %v", engineErr)
	}
	return conversation.New(conversation.Config{Engine: engine, Store: s, TTL: 24 * time.Hour})
}

// newScope returns a resident's scope as a channel makes it: a pseudonym.
func newScope() string { return pseudonym.Random().Of("sms", "+46701234567") }

// turn runs one turn and fails the test when it degraded or lacks want in its replies.
func turn(t *testing.T, svc *conversation.Service, scope, text, want string) conversation.Outcome {
	t.Helper()
	o := svc.Handle(t.Context(), conversation.Inbound{Scope: scope, Text: text})
	if o.Degraded {
		t.Fatalf("turn %q degraded: %v", text, o.Err)
	}
	var all strings.Builder
	for _, r := range o.Replies {
		all.WriteString(r.Text)
	}
	if !strings.Contains(all.String(), want) {
		t.Fatalf("turn %q: replies %q do not contain %q", text, all.String(), want)
	}
	return o
}

// roundTrips is a go-redis hook that counts the commands and pipelines sent: each is one
// round trip to Redis.
type roundTrips struct {
	n    atomic.Int64
	mu   sync.Mutex
	cmds []string
}

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.note(cmd.Name())
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.note(fmt.Sprintf("pipeline(%d)", len(cmds)))
		return next(ctx, cmds)
	}
}

func (h *roundTrips) note(name string) {
	h.n.Add(1)
	h.mu.Lock()
	h.cmds = append(h.cmds, name)
	h.mu.Unlock()
}

// take returns the round trips counted since the last take, and their commands.
func (h *roundTrips) take() (int64, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	cmds := h.cmds
	h.cmds = nil
	return h.n.Swap(0), cmds
}

// countRoundTrips installs h on the store's connections to each server (for a Cluster on
// every node, so redirects would count too). Call it before the store's first command.
func countRoundTrips(s *redisstore.Store, h *roundTrips) {
	if c, ok := s.Client().(*redis.ClusterClient); ok {
		c.OnNewNode(func(node *redis.Client) { node.AddHook(h) })
		return
	}
	s.Client().AddHook(h)
}

// TestRoundTripsPerTurn counts the round trips of conversation.Service turns with a go-redis
// hook: a turn is a Load and a Save, two round trips, once the scripts are cached.
func TestRoundTripsPerTurn(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t)
			defer s.Close()
			h := &roundTrips{}
			countRoundTrips(s, h)
			svc := newService(t, s)

			// The first turn sets up a connection (HELLO, CLIENT SETINFO), may load the script
			// on the server (EVALSHA, NOSCRIPT, EVAL) and, on a Cluster, learns the slots. It
			// runs on the scope measured next (the same Cluster node), which is then erased.
			scope := newScope()
			defer s.Erase(context.WithoutCancel(t.Context()), scope)
			turn(t, svc, scope, "Hej", "112")
			first, firstCmds := h.take()
			t.Logf("first turn of a new client: %d round trips %v", first, firstCmds)
			if err := s.Erase(t.Context(), scope); err != nil {
				t.Fatal(err)
			}
			h.take()

			for _, step := range []struct{ text, want string }{
				{"Jag blev rånad", "Hur gammal"},
				{"16", "010-567 63 25"},
				{"tack", "112"},
			} {
				turn(t, svc, scope, step.text, step.want)
				n, cmds := h.take()
				if n > 2 {
					t.Errorf("turn %q took %d round trips %v, want at most 2", step.text, n, cmds)
				}
				t.Logf("turn %q: %d round trips %v", step.text, n, cmds)
			}
			o := turn(t, svc, scope, "RADERA", "112")
			if !slices.ContainsFunc(o.Events, func(e bot.Event) bool { return e.Kind == bot.EventErase }) {
				t.Fatalf("RADERA: events %v, want an erase", o.Events)
			}
			n, cmds := h.take()
			if n > 2 {
				t.Errorf("RADERA took %d round trips %v, want at most 2", n, cmds)
			}
			t.Logf("turn \"RADERA\": %d round trips %v", n, cmds)
		})
	}
}

// scanKeys returns every key matching pattern, from every master of a Cluster.
func scanKeys(t *testing.T, rdb redis.UniversalClient, pattern string) []string {
	t.Helper()
	ctx := t.Context()
	var mu sync.Mutex
	var keys []string
	scan := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, scan)
	case *redis.Client:
		err = scan(ctx, c)
	default:
		t.Fatalf("cannot scan a %T", rdb)
	}
	if err != nil {
		t.Fatalf("SCAN %q: %v", pattern, err)
	}
	slices.Sort(keys)
	return keys
}

// TestEraseLeavesNoKey fills a resident's records (conversation, a remembered reply, a
// rate window), erases them with a RADERA turn and SCANs the server: no key of that
// resident is left, and another resident's keys are untouched.
func TestEraseLeavesNoKey(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, s *redisstore.Store) {
		ctx := t.Context()
		svc := newService(t, s)
		gone, kept := newScope(), newScope()
		defer s.Erase(context.WithoutCancel(ctx), kept)
		for _, sc := range []string{gone, kept} {
			turn(t, svc, sc, "Jag blev rånad", "Hur gammal")
			turn(t, svc, sc, "16", "010-567 63 25")
			if _, _, err := s.Remember(ctx, sc, "SM0123456789abcdef0123456789abcdef", []byte("a reply"), time.Hour); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Hit(ctx, sc, "sms", time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		// Pseudonyms are their own hash tag.
		pattern := func(scope string) string { return redisstore.Prefix + "{" + scope + "}*" }
		if keys := scanKeys(t, s.Client(), pattern(gone)); len(keys) != 3 {
			t.Fatalf("before erasure SCAN finds %v, want the resident's 3 keys", keys)
		}
		keptKeys := scanKeys(t, s.Client(), pattern(kept))

		turn(t, svc, gone, "RADERA", "112")

		if keys := scanKeys(t, s.Client(), pattern(gone)); len(keys) != 0 {
			t.Errorf("after RADERA SCAN finds %v, want none", keys)
		}
		if keys := scanKeys(t, s.Client(), pattern(kept)); !slices.Equal(keys, keptKeys) {
			t.Errorf("another resident's keys = %v, want %v", keys, keptKeys)
		}
		if b.fresh {
			// Nothing else anywhere mentions the erased resident.
			for _, k := range scanKeys(t, s.Client(), "*") {
				if strings.Contains(k, gone) {
					t.Errorf("after RADERA key %q is left", k)
				}
				if !slices.Contains(keptKeys, k) {
					t.Errorf("after RADERA the server holds %q, which is not the other resident's", k)
				}
			}
		}
		// Erase of an odd scope reaches its keys too.
		odd := "a}b{*" + gone
		if _, err := s.Save(ctx, odd, store.Conversation{Data: []byte("x")}, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Remember(ctx, odd, "id", []byte("x"), time.Hour); err != nil {
			t.Fatal(err)
		}
		before := len(scanKeys(t, s.Client(), redisstore.Prefix+"{~*"))
		if err := s.Erase(ctx, odd); err != nil {
			t.Fatal(err)
		}
		if after := len(scanKeys(t, s.Client(), redisstore.Prefix+"{~*")); after != before-2 {
			t.Errorf("erasing an odd scope removed %d keys, want its 2", before-after)
		}
	})
}

// TestEveryKeyExpires checks that every key trygg writes has a TTL no longer than the
// longest ttl it was given.
func TestEveryKeyExpires(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, s *redisstore.Store) {
		ctx := t.Context()
		svc := newService(t, s)
		scope := newScope()
		defer s.Erase(context.WithoutCancel(ctx), scope)
		turn(t, svc, scope, "Jag blev rånad", "Hur gammal")
		if _, _, err := s.Remember(ctx, scope, "SM1", []byte("a reply"), 2*time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Remember(ctx, scope, "SM2", []byte("a reply"), time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Hit(ctx, scope, "sms", time.Minute); err != nil {
			t.Fatal(err)
		}
		day := fmt.Sprintf("%04d-01-01", 2100+time.Now().Nanosecond()%900)
		if err := s.Count(ctx, day, "test:"+scope, 1); err != nil {
			t.Fatal(err)
		}
		keys := scanKeys(t, s.Client(), redisstore.Prefix+"{"+scope+"}*")
		keys = append(keys, redisstore.Prefix+"stats:"+day)
		if b.fresh {
			keys = scanKeys(t, s.Client(), "*")
		}
		want := map[string]time.Duration{":conv": 24 * time.Hour, ":once": 2 * time.Hour, ":hit": time.Minute, day: store.StatsTTL}
		if len(keys) != len(want) {
			t.Fatalf("keys %v, want one per kind of %v", keys, want)
		}
		for _, k := range keys {
			ttl, err := s.Client().PTTL(ctx, k).Result()
			if err != nil {
				t.Fatal(err)
			}
			for suffix, max := range want {
				if strings.HasSuffix(k, suffix) && (ttl <= max-time.Minute || ttl > max) {
					t.Errorf("key %q has TTL %v, want about %v", k, ttl, max)
				}
			}
			if ttl <= 0 {
				t.Errorf("key %q has no TTL (%v)", k, ttl)
			}
		}
		if err := s.Client().Del(ctx, redisstore.Prefix+"stats:"+day).Err(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestGlobalWindowsExpire checks the global scope's windows, which are plain counters:
// Hit and Admit count in the same one, and it always carries its window's TTL.
func TestGlobalWindowsExpire(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, s *redisstore.Store) {
		ctx := t.Context()
		window := "test-" + newScope()
		key := redisstore.Prefix + "{~}:hit:" + window
		defer s.Client().Del(context.WithoutCancel(ctx), key)
		for want := int64(1); want <= 2; want++ {
			if n, err := s.Hit(ctx, "", window, time.Minute); err != nil || n != want {
				t.Fatalf("Hit = %d, %v, want %d", n, err, want)
			}
		}
		r, err := s.Admit(ctx, newScope(), store.Admission{
			ID: "SM1", Value: []byte("r"), TTL: time.Hour,
			Sender: store.Window{Name: "sms", TTL: time.Minute, Limit: 10},
			Global: store.Window{Name: window, TTL: time.Minute, Limit: 10},
		})
		if err != nil || r.Global != 3 {
			t.Fatalf("Admit counted %d in the global window (%v), want 3", r.Global, err)
		}
		ttl, err := s.Client().PTTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 || ttl > time.Minute {
			t.Fatalf("the window's counter has TTL %v, want at most a minute", ttl)
		}
	})
}

// TestRedisFieldsExpire runs Remember and Hit with short ttls on a real server and polls
// until they expire: the scripts' arithmetic on the server's TIME, in the server's Lua.
func TestRedisFieldsExpire(t *testing.T) {
	s := openURL(t, redistest.URL(t))
	defer s.Close()
	ctx := t.Context()
	scope := newScope()
	defer s.Erase(context.WithoutCancel(ctx), scope)
	const ttl = 300 * time.Millisecond

	if _, _, err := s.Remember(ctx, scope, "SM1", []byte("reply"), ttl); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Hit(ctx, scope, "sms", ttl); err != nil || n != 1 {
		t.Fatalf("Hit = %d, %v", n, err)
	}
	// The stored expiry is the server's time plus ttl, in whole milliseconds.
	now, err := s.Client().Time(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.Client().HGet(ctx, redisstore.Prefix+"{"+scope+"}:once", "SM1").Result()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^([0-9]{13}):`).FindStringSubmatch(raw)
	if m == nil {
		t.Fatalf("stored field %q does not start with an expiry in ms", raw)
	}
	expMs, _ := strconv.ParseInt(m[1], 10, 64)
	if d := time.UnixMilli(expMs).Sub(now); d <= 0 || d > ttl {
		t.Fatalf("stored expiry is %v after the server's time, want within %v", d, ttl)
	}

	deadline := time.Now().Add(5 * time.Second)
	for {
		prev, found, err := s.Remember(ctx, scope, "SM1", []byte("new"), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			break
		}
		if string(prev) != "reply" {
			t.Fatalf("Remember = %q, want \"reply\"", prev)
		}
		if time.Now().After(deadline) {
			t.Fatalf("Remember with ttl %v still found after 5 s", ttl)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		n, err := s.Hit(ctx, scope, "sms", ttl)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Hit window of %v still open after 5 s (count %d)", ttl, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRedisMemoryPerConversation measures MEMORY USAGE of a typical conversation on a
// real server: a resident robbed, asked their age, answered 16.
func TestRedisMemoryPerConversation(t *testing.T) {
	s := openURL(t, redistest.URL(t))
	defer s.Close()
	ctx := t.Context()
	svc := newService(t, s)
	scope := newScope()
	defer s.Erase(context.WithoutCancel(ctx), scope)
	turn(t, svc, scope, "Jag blev rånad", "Hur gammal")
	o := turn(t, svc, scope, "16", "010-567 63 25")

	base := redisstore.Prefix + "{" + scope + "}"
	usage := func(key string) int64 {
		t.Helper()
		n, err := s.Client().MemoryUsage(ctx, key, 0).Result()
		if err != nil {
			t.Fatalf("MEMORY USAGE %s: %v", key, err)
		}
		return n
	}
	c, err := s.Load(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	conv := usage(base + ":conv")
	t.Logf("MEMORY USAGE of a typical conversation (%d-byte state %s): %d bytes", len(c.Data), c.Data, conv)
	if conv > 512 {
		t.Errorf("a typical conversation takes %d bytes, want at most 512", conv)
	}

	// With what an SMS channel adds: the last reply remembered under its MessageSid, and
	// a rate window.
	reply := o.Replies[0].Text
	if _, _, err := s.Remember(ctx, scope, "SM0123456789abcdef0123456789abcdef", []byte(reply), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Hit(ctx, scope, "sms", time.Hour); err != nil {
		t.Fatal(err)
	}
	once, hit := usage(base+":once"), usage(base+":hit")
	t.Logf("with a remembered %d-byte reply (%d bytes) and a rate window (%d bytes): %d bytes per resident",
		len(reply), once, hit, conv+once+hit)
}
