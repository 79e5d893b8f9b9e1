package app_test

import (
	"context"
	"encoding/xml"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// floodApp is trygg on the Redis at redisURL, serving HTTP, with the default limits unless
// more (variable, value, …) sets others.
type floodApp struct {
	app *app.App
	srv *httptest.Server
	rdb *redis.Client
}

// more sets further variables.
func newFloodApp(t *testing.T, redisURL string, more ...string) *floodApp {
	t.Helper()
	env := map[string]string{
		"REDIS_URL":          redisURL,
		"TRYGG_SECRET":       "flood test secret 0123456789",
		"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
		"TWILIO_AUTH_TOKEN":  replicaToken,
		"TRYGG_PUBLIC_URL":   replicaPublic,
	}
	for i := 0; i+1 < len(more); i += 2 {
		env[more[i]] = more[i+1]
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(t.Context(), cfg, nil, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Server.Handler())
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { srv.Close(); a.Close(); rdb.Close() })
	return &floodApp{app: a, srv: srv, rdb: rdb}
}

// keys returns the Redis keys of the sender from: its conversation, remembered replies and
// rate windows.
func (f *floodApp) keys(from string) []string {
	base := redisstore.Prefix + "{" + f.app.Hasher.Of("sms", from) + "}"
	return []string{base + ":conv", base + ":once", base + ":hit", base + ":rec"}
}

// fields returns how many fields the sender's hashes hold, and their bytes (names and values).
func (f *floodApp) fields(t *testing.T, from string) (n, size int) {
	t.Helper()
	for _, k := range f.keys(from)[1:] {
		m, err := f.rdb.HGetAll(context.Background(), k).Result()
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range m {
			n, size = n+1, size+len(name)+len(v)
		}
	}
	return n, size
}

// flood sends n messages from one number and counts the answers that were not empty.
// A message whose store call timed out on this busy test machine gets the safety reply
// (as a resident would when Redis is slow) and is not counted: it says nothing about the
// limits.
func (f *floodApp) flood(t *testing.T, from string, n int) (answered int) {
	t.Helper()
	safe := xmlText(f.app.Engine.Safe("sv").Text)
	for range n {
		status, twiml := text(t, f.srv, from, newSid(), "hej hej")
		if status != 200 {
			t.Fatalf("status %d: %s", status, twiml)
		}
		if strings.Contains(twiml, "<Message>") && !strings.Contains(twiml, safe) {
			answered++
		}
	}
	return answered
}

// xmlText escapes s as TwiML's body does.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// TestSMSFloodCostBounded: one number floods trygg (600 messages at once, then 600 more
// spread over 20 sender windows, each filling its window with turns). What Redis keeps of
// the sender stays bounded by the sender limit (30/10m): the reservations and replies of
// its last 31 answered messages, its windows and its conversation; before, each message
// added two fields kept 24 h (1,200 fields after 600 messages). Its earliest messages are
// forgotten, its latest still answered once.
func TestSMSFloodCostBounded(t *testing.T) {
	mini := redistest.StartMini(t)
	f := newFloodApp(t, mini.URL())
	const from = "+46702000031"
	if got := f.flood(t, from, 600); got != 31 {
		t.Errorf("600 messages at once: %d answered, want 31 (30 turns and the notice)", got)
	}
	// Reservation and reply of the last 31 answered messages, 31 ring slots and two
	// markers; the windows (sender, notice) and their marker.
	const bound = 2*31 + 31 + 2 + 3
	n, size := f.fields(t, from)
	t.Logf("after 600 messages in one window: %d fields, %d bytes", n, size)
	if n > bound {
		t.Errorf("after 600 messages in one window: %d fields, want at most %d", n, bound)
	}
	var last string
	for w := range 20 {
		mini.Advance(10*time.Minute + time.Second)
		for range 30 {
			last = newSid()
			if status, twiml := text(t, f.srv, from, last, "hej"); status != 200 || !strings.Contains(twiml, "<Message>") {
				t.Fatalf("window %d: status %d, %s: want a turn", w, status, twiml)
			}
		}
	}
	n2, size2 := f.fields(t, from)
	t.Logf("after 1,200 messages: %d fields, %d bytes", n2, size2)
	if n2 > bound {
		t.Errorf("after 1,200 messages: %d fields, want at most %d", n2, bound)
	}
	// The last message is still answered once: its repeat gets the same reply, no turn.
	_, first := text(t, f.srv, from, last, "hej")
	_, again := text(t, f.srv, from, last, "hej")
	if first != again {
		t.Errorf("repeat of the last message answered differently:\n%s\n%s", first, again)
	}
	if ttl := mini.TTL(f.keys(from)[1]); ttl <= 0 || ttl > 24*time.Hour {
		t.Errorf("remembered replies kept for %v, want a TTL of at most 24h", ttl)
	}
}

// TestSMSFloodMemory measures MEMORY USAGE on a real redis-server of the test's own
// (skipped without one on PATH): one sender after 600 messages at once, and a typical
// resident (robbed, asked their age, answered 16) — the figures in the README's Redis
// section.
func TestSMSFloodMemory(t *testing.T) {
	srv := redistest.StartServer(t)
	f := newFloodApp(t, srv.URL())
	const flooder, resident = "+46702000031", "+46702000032"
	f.flood(t, flooder, 600)
	flood := f.memory(t, flooder)
	fields, _ := f.fields(t, flooder)
	t.Logf("one sender after 600 messages: %d bytes in MEMORY USAGE, %d fields", flood, fields)
	if flood > 48<<10 {
		t.Errorf("one sender after 600 messages takes %d bytes, want at most 48 KiB", flood)
	}
	for _, msg := range []string{"Jag blev rånad", "16"} {
		if status, twiml := text(t, f.srv, resident, newSid(), msg); status != 200 || !strings.Contains(twiml, "<Message>") {
			t.Fatalf("%q: status %d, %s", msg, status, twiml)
		}
	}
	t.Logf("a typical resident (two messages): %d bytes in MEMORY USAGE", f.memory(t, resident))
}

// memory returns the MEMORY USAGE of the sender's keys, summed.
func (f *floodApp) memory(t *testing.T, from string) int64 {
	t.Helper()
	var total int64
	for _, k := range f.keys(from) {
		n, err := f.rdb.MemoryUsage(context.Background(), k, 0).Result()
		if err == redis.Nil {
			continue
		}
		if err != nil {
			t.Fatalf("MEMORY USAGE %s: %v", k, err)
		}
		total += n
	}
	return total
}
