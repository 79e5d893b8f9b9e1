package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// The Brottsofferjouren numbers, as the fact sheet states them.
const (
	youthNumber = "010-567 63 25"
	adultNumber = "021-41 32 60"
)

// newRedisApp builds trygg as `trygg serve` would with REDIS_URL=url: its own Redis
// client, the same secret as every other replica.
func newRedisApp(t *testing.T, url string) *app.App {
	t.Helper()
	env := map[string]string{
		"REDIS_URL":    url,
		"TRYGG_SECRET": "a secret shared by every replica",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	a, err := app.New(t.Context(), cfg, nil, app.Options{})
	if err != nil {
		t.Fatalf("app.New with Redis: %v", err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	inner := a.Store
	if u, ok := inner.(interface{ Unwrap() store.Store }); ok {
		inner = u.Unwrap() // the metrics' instrumenting wrapper
	}
	if _, ok := inner.(*redisstore.Store); !ok {
		t.Fatalf("store is a %T, want the Redis store", a.Store)
	}
	return a
}

// readyz returns the status of GET /readyz on a.
func readyz(t *testing.T, a *app.App) int {
	t.Helper()
	rec := httptest.NewRecorder()
	a.Server.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return rec.Code
}

// say runs one turn of the resident's conversation on replica a and returns the replies.
func say(t *testing.T, a *app.App, scope, text string) string {
	t.Helper()
	o := a.Service.Handle(t.Context(), conversation.Inbound{Scope: scope, Text: text})
	if o.Degraded {
		t.Fatalf("turn %q degraded: %v", text, o.Err)
	}
	var b strings.Builder
	for _, r := range o.Replies {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// TestTwoReplicas runs one resident's conversation alternately on two trygg replicas that
// share one Redis: what the resident told one replica, the other knows.
func TestTwoReplicas(t *testing.T) {
	servers := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"miniredis", func(t *testing.T) string { return redistest.StartMini(t).URL() }},
		{"redis", func(t *testing.T) string { return redistest.URL(t) }},
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			url := srv.url(t)
			a, b := newRedisApp(t, url), newRedisApp(t, url)
			if a.Store == b.Store {
				t.Fatal("the replicas share a store value, want a client each")
			}
			for _, r := range []*app.App{a, b} {
				if code := readyz(t, r); code != http.StatusOK {
					t.Fatalf("/readyz = %d, want 200", code)
				}
			}
			// Both replicas give the sender the same pseudonym, so the same conversation.
			scope := a.Hasher.Of("sms", "+46701234567")
			if other := b.Hasher.Of("sms", "+46701234567"); other != scope {
				t.Fatalf("replicas disagree on the pseudonym: %q and %q", scope, other)
			}
			defer a.Store.Erase(context.WithoutCancel(t.Context()), scope)

			if got := say(t, a, scope, "Jag blev rånad"); !strings.Contains(got, "Hur gammal") {
				t.Fatalf("A, \"Jag blev rånad\": %q, want the age question", got)
			}
			// B knows A asked for the age.
			got := say(t, b, scope, "16")
			if !strings.Contains(got, youthNumber) || strings.Contains(got, adultNumber) {
				t.Fatalf("B, \"16\": %q, want the youth number only", got)
			}
			// A knows the age B was given: no question, the youth number.
			got = say(t, a, scope, "Jag blev hotad")
			if strings.Contains(got, "Hur gammal") || !strings.Contains(got, youthNumber) || strings.Contains(got, adultNumber) {
				t.Fatalf("A, \"Jag blev hotad\": %q, want the youth number without asking the age", got)
			}
			// Erasure on B is erasure on A.
			say(t, b, scope, "RADERA")
			if got := say(t, a, scope, "Jag blev hotad"); !strings.Contains(got, "Hur gammal") {
				t.Fatalf("A after RADERA on B: %q, want the age question of a new conversation", got)
			}
		})
	}
}

// TestRedisDownApp starts trygg while its Redis is down, and takes Redis away again in
// the middle of a conversation: trygg starts anyway, /readyz is 503, residents get the
// safety reply within 2 s, and when Redis is back trygg recovers by itself.
func TestRedisDownApp(t *testing.T) {
	srv := redistest.StartServer(t)
	srv.Stop()
	a := newRedisApp(t, srv.URL())
	scope := a.Hasher.Of("sms", "+46701234567")

	down := func(when string) {
		t.Helper()
		if code := readyz(t, a); code != http.StatusServiceUnavailable {
			t.Errorf("%s: /readyz = %d, want 503", when, code)
		}
		start := time.Now()
		o := a.Service.Handle(t.Context(), conversation.Inbound{Scope: scope, Text: "16"})
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: the reply took %v, want at most 2 s", when, took)
		}
		if !o.Degraded || len(o.Replies) == 0 || !strings.Contains(o.Replies[0].Text, "112") || !strings.Contains(o.Replies[0].Text, youthNumber) {
			t.Errorf("%s: degraded %v, replies %v, want the safety reply", when, o.Degraded, o.Replies)
		}
	}
	back := func(when string) {
		t.Helper()
		srv.Start()
		deadline := time.Now().Add(5 * time.Second)
		for readyz(t, a) != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatalf("%s: /readyz not 200 within 5 s of Redis being back", when)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}

	down("Redis down at start-up")
	back("Redis up after start-up")
	if got := say(t, a, scope, "Jag blev rånad"); !strings.Contains(got, "Hur gammal") {
		t.Fatalf("\"Jag blev rånad\": %q, want the age question", got)
	}
	srv.Stop()
	down("Redis down mid-conversation")
	back("Redis back")
	if got := say(t, a, scope, "Jag blev rånad"); !strings.Contains(got, "Hur gammal") {
		t.Fatalf("after Redis is back: %q, want the age question", got)
	}
	if got := say(t, a, scope, "16"); !strings.Contains(got, youthNumber) {
		t.Fatalf("after Redis is back, \"16\": %q, want the youth number", got)
	}
}
