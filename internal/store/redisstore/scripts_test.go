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

// TestCompareAndPutResent sends CompareAndPut's script twice with the same token, as a
// client does when a reply was lost: the second run reports the first's write instead of
// a conflict (which would make Update apply its change twice). Its token sits beside the
// record, hidden from List, expiring with it and pruned like the record.
func TestCompareAndPutResent(t *testing.T) {
	ctx := t.Context()
	m := redistest.StartMini(t)
	rdb := redis.NewClient(&redis.Options{Addr: m.Addr()})
	defer rdb.Close()
	k := keysOf("casresent")
	cas := func(want, old, value string, ttl time.Duration, token []byte) int {
		t.Helper()
		n, err := casScript.Run(ctx, rdb, []string{k.rec}, "case", want, old, value, ttl.Milliseconds(), token, tokenField("case")).Int()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	first, second, other := newToken(), newToken(), newToken()
	for i, tt := range []struct {
		want, old, value string
		token            []byte
		stored           int
	}{
		{"0", "", "1", first, 1},   // the first write, expecting no record
		{"0", "", "1", first, 1},   // the same, sent again: its own write
		{"0", "", "x", other, 0},   // another expecting no record: a conflict
		{"1", "1", "2", second, 1}, // a write on the value it read
		{"1", "1", "2", second, 1}, // the same, sent again
		{"0", "", "1", first, 0},   // the first, sent again after another write: a conflict
		{"1", "1", "x", other, 0},  // a stale value: a conflict
	} {
		if got := cas(tt.want, tt.old, tt.value, time.Hour, tt.token); got != tt.stored {
			t.Errorf("compare and put #%d = %d, want %d", i, got, tt.stored)
		}
	}
	list, err := listScript.Run(ctx, rdb, []string{k.rec}).StringSlice()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"case", "2"}; !slices.Equal(list, want) {
		t.Fatalf("list = %q, want %q", list, want)
	}
	fields, err := rdb.HKeys(ctx, k.rec).Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(fields)
	if want := []string{"\x00next", "\x00tok:case", "case"}; !slices.Equal(fields, want) {
		t.Fatalf("fields = %q, want %q", fields, want)
	}
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if n, err := rdb.HGet(ctx, k.rec, "\x00next").Int64(); err != nil || n != start.Add(time.Hour).UnixMilli() {
		t.Fatalf("earliest expiry = %d, %v; want the record's", n, err)
	}

	// Both expire together; the next write drops them.
	m.Advance(2 * time.Hour)
	if err := putScript.Run(ctx, rdb, []string{k.rec}, "b", "1", time.Hour.Milliseconds()).Err(); err != nil {
		t.Fatal(err)
	}
	fields, _ = rdb.HKeys(ctx, k.rec).Result()
	slices.Sort(fields)
	if !slices.Equal(fields, []string{"\x00next", "b"}) {
		t.Fatalf("fields after expiry = %q, want only the marker and b", fields)
	}
}
