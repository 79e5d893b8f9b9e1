package redisstore

import (
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

// TestScriptsResent sends Save's and Remember's scripts twice with the same token, as a
// client does when a reply was lost: the second run reports what the first did and
// changes nothing, so a resent turn is applied once.
func TestScriptsResent(t *testing.T) {
	ctx := t.Context()
	m := redistest.StartMini(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	defer rdb.Close()
	k := keysOf("resent")
	hour := time.Hour.Milliseconds()

	first, other := newToken(), newToken()
	for i, tt := range []struct {
		version int64
		token   []byte
		want    int64
	}{
		{0, first, 1},  // the save
		{0, first, 1},  // the same save, sent again: its own write, not a conflict
		{0, other, -1}, // another save from version 0: a conflict
		{1, other, 2},  // a save on the version it loaded
		{0, first, -1}, // the first save, sent again after another write: a conflict
	} {
		got, err := saveScript.Run(ctx, rdb, []string{k.conv}, tt.version, "data", hour, tt.token).Int64()
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("save #%d (version %d) = %d, want %d", i, tt.version, got, tt.want)
		}
	}

	remember := func(value string, token []byte) []any {
		t.Helper()
		res, err := rememberScript.Run(ctx, rdb, []string{k.once}, "SM1", value, hour, token).Slice()
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := remember("reply", first); len(res) != 1 {
		t.Fatalf("first Remember = %v, want stored now", res)
	}
	if res := remember("reply", first); len(res) != 1 {
		t.Fatalf("the same Remember sent again = %v, want stored now", res)
	}
	if res := remember("other", other); len(res) != 2 || res[1] != "reply" {
		t.Fatalf("another Remember = %v, want [1 reply]", res)
	}
}

// TestPruneOnlyWhenSomethingExpired checks how the hashes of remembered values and records
// are kept small: a write drops the fields that have expired, at the first write after
// they expire, and keeps the earliest expiry of the rest in the field "\0next", which no
// reader returns. A write into a hash of unexpired fields leaves them all in place.
func TestPruneOnlyWhenSomethingExpired(t *testing.T) {
	ctx := t.Context()
	m := redistest.StartMini(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	defer rdb.Close()
	k := keysOf("prune")
	remember := func(id string, ttl time.Duration) {
		t.Helper()
		if err := rememberScript.Run(ctx, rdb, []string{k.once}, id, "v", ttl.Milliseconds(), newToken()).Err(); err != nil {
			t.Fatal(err)
		}
	}
	fields := func() []string {
		t.Helper()
		f, err := rdb.HKeys(ctx, k.once).Result()
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(f)
		return f
	}
	next := func() int64 {
		t.Helper()
		n, err := rdb.HGet(ctx, k.once, "\x00next").Int64()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

	remember("SM1", time.Minute)
	remember("SM2", time.Hour)
	remember("SM3", 2*time.Minute)
	if got, want := fields(), []string{"\x00next", "SM1", "SM2", "SM3"}; !slices.Equal(got, want) {
		t.Fatalf("fields = %q, want %q", got, want)
	}
	if got, want := next(), start.Add(time.Minute).UnixMilli(); got != want {
		t.Fatalf("earliest expiry = %d, want %d (SM1's)", got, want)
	}

	// SM1 has expired: the next write drops it and keeps SM3's expiry as the earliest.
	m.Advance(90 * time.Second)
	remember("SM4", time.Hour)
	if got, want := fields(), []string{"\x00next", "SM2", "SM3", "SM4"}; !slices.Equal(got, want) {
		t.Fatalf("after SM1 expired: fields = %q, want %q", got, want)
	}
	if got, want := next(), start.Add(2*time.Minute).UnixMilli(); got != want {
		t.Fatalf("earliest expiry = %d, want %d (SM3's)", got, want)
	}

	// Everything expires: the last write leaves only itself and its expiry.
	m.Advance(2 * time.Hour)
	remember("SM5", time.Minute)
	if got, want := fields(), []string{"\x00next", "SM5"}; !slices.Equal(got, want) {
		t.Fatalf("after all expired: fields = %q, want %q", got, want)
	}

	// The records' list never shows the marker.
	if err := putScript.Run(ctx, rdb, []string{k.rec}, "a", "1", time.Hour.Milliseconds()).Err(); err != nil {
		t.Fatal(err)
	}
	list, err := listScript.Run(ctx, rdb, []string{k.rec}).StringSlice()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "1"}; !slices.Equal(list, want) {
		t.Fatalf("list = %q, want %q", list, want)
	}
}
