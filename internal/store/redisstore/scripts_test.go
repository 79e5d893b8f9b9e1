package redisstore

import (
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
