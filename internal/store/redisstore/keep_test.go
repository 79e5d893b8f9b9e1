package redisstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// TestKeepTakesOverAHash: a resident's hash written before it kept a ring (every message
// a field of its own for 24 h) is cleaned of what has expired when Admit with Keep first
// writes to it, and from then on holds the ring, whose size stays bounded.
func TestKeepTakesOverAHash(t *testing.T) {
	ctx := t.Context()
	m := redistest.StartMini(t)
	s, err := Open(Config{URL: m.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	defer rdb.Close()
	const scope = "takeover"
	for i := range 500 {
		if _, _, err := s.Remember(ctx, scope, fmt.Sprintf("old%d", i), []byte("reply"), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	m.Advance(2 * time.Hour) // all 500 expired, none dropped yet
	once := keysOf(scope).once
	for i := range 100 {
		_, err := s.Admit(ctx, scope, store.Admission{
			ID: fmt.Sprintf("new%d", i), Value: []byte("r"), TTL: time.Hour,
			Sender: store.Window{Name: "w", TTL: time.Hour, Limit: 1000},
			Global: store.Window{Name: "g-takeover", TTL: time.Hour, Limit: 1 << 40},
			Keep:   5,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	n, err := rdb.HLen(ctx, once).Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(5 + 5 + 2); n != want {
		t.Errorf("hash holds %d fields, want %d: 5 reservations, 5 ring slots, two markers", n, want)
	}
	if mark, _ := rdb.HGet(ctx, once, "\x00next").Result(); mark != "-" {
		t.Errorf(`"\0next" = %q, want "-" (a ring, never read whole)`, mark)
	}
}
