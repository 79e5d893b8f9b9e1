package redisstore

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store/redisstore/redistest"
)

func TestKeysOf(t *testing.T) {
	tests := []struct {
		scope, wantConv string
	}{
		{"abcdefghijklmnopqrstuvwxyz", "trygg:{abcdefghijklmnopqrstuvwxyz}:conv"},
		{"sms:ab2c", "trygg:{sms:ab2c}:conv"},
		{"", "trygg:{~}:conv"},
		{"a}", "trygg:{~YX0}:conv"},
		{"{", "trygg:{~ew}:conv"},
		{"a*", "trygg:{~YSo}:conv"},
		{"\x00", "trygg:{~AA}:conv"},
		{"😀", "trygg:{~8J-YgA}:conv"},
		{"~", "trygg:{~fg}:conv"},
	}
	for _, tt := range tests {
		k := keysOf(tt.scope)
		if k.conv != tt.wantConv {
			t.Errorf("keysOf(%q).conv = %q, want %q", tt.scope, k.conv, tt.wantConv)
		}
		base := strings.TrimSuffix(k.conv, convSuffix)
		if k.once != base+onceSuffix || k.hit != base+hitSuffix {
			t.Errorf("keysOf(%q) = %+v: keys do not share one base", tt.scope, k)
		}
	}
}

// FuzzTag checks that a tag never holds a brace (so a scope cannot end its hash tag early)
// and that the scope can be read back from it (so two scopes never share keys).
func FuzzTag(f *testing.F) {
	for _, s := range []string{"", "a", "a}", "{x}", "~", "~YQ", "a*", "\x00", "😀", strings.Repeat("a", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, scope string) {
		tg := tag(scope)
		if tg == "" || strings.ContainsAny(tg, "{}") {
			t.Fatalf("tag(%q) = %q", scope, tg)
		}
		var back string
		switch {
		case tg == globalTag:
			back = ""
		case strings.HasPrefix(tg, globalTag):
			b, err := base64.RawURLEncoding.DecodeString(tg[len(globalTag):])
			if err != nil {
				t.Fatalf("tag(%q) = %q: %v", scope, tg, err)
			}
			back = string(b)
		default:
			back = tg
		}
		if back != scope {
			t.Fatalf("tag(%q) = %q reads back as %q", scope, tg, back)
		}
	})
}

// TestClusterKeysShareASlot asks a real Cluster where each scope's keys live: all in one
// slot, whatever the scope holds.
func TestClusterKeysShareASlot(t *testing.T) {
	addrs := redistest.ClusterAddrs(t)
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	defer rdb.Close()
	for _, scope := range []string{"abcdefghijklmnopqrstuvwxyz234567", "", "a}", "}{", "{x}y", "a*", "\x00", "😀"} {
		var slots []int64
		for _, key := range keysOf(scope).all() {
			slot, err := rdb.ClusterKeySlot(t.Context(), key).Result()
			if err != nil {
				t.Fatalf("CLUSTER KEYSLOT %q: %v", key, err)
			}
			slots = append(slots, slot)
		}
		for _, s := range slots[1:] {
			if s != slots[0] {
				t.Errorf("scope %q: keys %q are in slots %v", scope, keysOf(scope).all(), slots)
				break
			}
		}
	}
}
