package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// TestFullRedis fills a real redis-server of the test's own (skipped without redis-server
// on PATH) past a small maxmemory with conversations of new residents. With
// redisstore.MaxMemoryPolicy, the policy the README and compose give Redis, every resident
// gets a real turn: Redis drops the conversations of the residents who wrote first, and
// keeps the long-lived records (statistics, a register kept for years). With noeviction
// (Redis' default) the same flood answers residents with the safety reply, which is what
// the policy is for.
func TestFullRedis(t *testing.T) {
	for _, tc := range []struct {
		policy   string
		degraded bool // residents answered with the safety reply
	}{
		{redisstore.MaxMemoryPolicy, false},
		{"noeviction", true},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			srv := redistest.StartServer(t)
			opts, _ := redis.ParseURL(srv.URL())
			rdb := redis.NewClient(opts)
			defer rdb.Close()
			ctx := context.Background()
			env := map[string]string{
				"REDIS_URL":          srv.URL(),
				"TRYGG_SECRET":       "full redis test secret 0123456789",
				"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
				"TWILIO_AUTH_TOKEN":  replicaToken,
				"TRYGG_PUBLIC_URL":   replicaPublic,
				// The flood is many residents at once, not an attack on the limits.
				"TRYGG_SMS_GLOBAL_LIMIT": "1000000/1m",
			}
			cfg, err := config.Load(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			a, err := app.New(t.Context(), cfg, nil, app.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			h := a.Server.Handler()

			// Records meant to outlive every conversation.
			day := time.Now().Format(time.DateOnly)
			if err := a.Store.(store.Stats).Count(ctx, day, "full-redis-test", 1); err != nil {
				t.Fatal(err)
			}
			const longScope = "full-redis-test-register"
			if err := a.Store.(store.Records).Put(ctx, longScope, "k", []byte(strings.Repeat("r", 200)), 10*365*24*time.Hour); err != nil {
				t.Fatal(err)
			}

			// 1 MB of room above what Redis holds now.
			used := usedMemory(t, rdb)
			if err := rdb.ConfigSet(ctx, "maxmemory-policy", tc.policy).Err(); err != nil {
				t.Fatal(err)
			}
			if err := rdb.ConfigSet(ctx, "maxmemory", strconv.FormatInt(used+1<<20, 10)).Err(); err != nil {
				t.Fatal(err)
			}

			const residents = 2000
			from := func(i int) string { return fmt.Sprintf("+4670%07d", i) }
			for i := range residents {
				if body := smsTo(h, from(i), newSid(), "Jag är 16 och blev rånad"); !strings.Contains(body, "<Message>") || !strings.Contains(body, "010-567 63 25") {
					t.Fatalf("resident %d: no TwiML with the youth line: %s", i, body)
				}
			}
			safe := int(testutil.ToFloat64(a.Metrics.SMSIn.WithLabelValues(metrics.ResultFailed)) +
				testutil.ToFloat64(a.Metrics.SMSIn.WithLabelValues(metrics.ResultDegraded)))
			evicted := infoInt(t, rdb, "stats", "evicted_keys")
			t.Logf("%s: %d residents, maxmemory %d bytes: %d answered with the safety reply, %d keys evicted",
				tc.policy, residents, used+1<<20, safe, evicted)
			if !tc.degraded {
				if safe != 0 {
					t.Errorf("%d of %d residents got the safety reply, want every one a turn", safe, residents)
				}
				if evicted == 0 {
					t.Fatal("nothing was evicted: the flood did not fill Redis")
				}
				conv := func(i int) bool {
					n, err := rdb.Exists(ctx, redisstore.Prefix+"{"+a.Hasher.Of("sms", from(i))+"}:conv").Result()
					if err != nil {
						t.Fatal(err)
					}
					return n == 1
				}
				if conv(0) {
					t.Error("the first resident's conversation is kept: want the oldest dropped")
				}
				if !conv(residents - 1) {
					t.Error("the last resident's conversation is gone: want the newest kept")
				}
				if counts, err := a.Store.(store.Stats).Counts(ctx, day, day); err != nil || counts["full-redis-test"] != 1 {
					t.Errorf("statistics after the flood: %v, %v; want kept", counts, err)
				}
				if _, ok, err := a.Store.(store.Records).Get(ctx, longScope, "k"); err != nil || !ok {
					t.Errorf("long-lived record after the flood: %v, %v; want kept", ok, err)
				}
			} else if safe == 0 {
				t.Errorf("with %s no resident got the safety reply: the flood did not fill Redis", tc.policy)
			}
		})
	}
}

// smsTo serves one signed SMS webhook from from on h and returns the body.
func smsTo(h http.Handler, from, sid, body string) string {
	form := url.Values{
		"MessageSid": {sid}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"}, "From": {from},
		"To": {"+46766861004"}, "Body": {body},
	}
	req := httptest.NewRequest(http.MethodPost, replicaPublic+"/twilio/sms", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twilioSign(replicaToken, replicaPublic+"/twilio/sms", form))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Body.String()
}

// usedMemory returns Redis' used_memory.
func usedMemory(t *testing.T, rdb *redis.Client) int64 {
	t.Helper()
	return infoInt(t, rdb, "memory", "used_memory")
}

// infoInt returns the integer field name of INFO section.
func infoInt(t *testing.T, rdb *redis.Client, section, name string) int64 {
	t.Helper()
	info, err := rdb.Info(context.Background(), section).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("INFO %s %s: %q", section, name, v)
			}
			return n
		}
	}
	t.Fatalf("INFO %s has no %s", section, name)
	return 0
}

// TestRedisEvictionWarning: at start-up trygg warns when Redis runs with another
// maxmemory-policy than redisstore.MaxMemoryPolicy, and not when it runs with it.
func TestRedisEvictionWarning(t *testing.T) {
	srv := redistest.StartServer(t)
	opts, _ := redis.ParseURL(srv.URL())
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	env := map[string]string{"REDIS_URL": srv.URL(), "TRYGG_SECRET": "eviction warning secret 0123"}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		policy string
		warn   bool
	}{
		{"noeviction", true},
		{"allkeys-lru", true},
		{redisstore.MaxMemoryPolicy, false},
	} {
		if err := rdb.ConfigSet(context.Background(), "maxmemory-policy", tc.policy).Err(); err != nil {
			t.Fatal(err)
		}
		var logs strings.Builder
		a, err := app.New(t.Context(), cfg, slog.New(slog.NewTextHandler(&logs, nil)), app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		a.Close()
		if got := strings.Contains(logs.String(), "maxmemory-policy is not"); got != tc.warn {
			t.Errorf("%s: warned %v, want %v; logs:\n%s", tc.policy, got, tc.warn, logs.String())
		}
	}
}
