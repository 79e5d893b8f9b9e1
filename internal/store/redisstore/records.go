package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/vasteras/trygg/internal/store"
)

var _ store.Records = (*Store)(nil)

// The records of a scope are one hash, trygg:{scope}:rec, in the scope's slot: Erase's one
// DEL removes them with the conversation. Each field carries its own expiry, as Remember's
// do, read against the server's clock.

// putScript stores a record. KEYS[1] the hash; ARGV: key, value, ttl in ms.
var putScript = redis.NewScript(luaNow + `
put(KEYS[1], ARGV[1], now + tonumber(ARGV[3]), ARGV[2], prune(KEYS[1]))
return 1
`)

// getScript reads a record. KEYS[1] the hash; ARGV: key. Returns {1, value} or {0}.
var getScript = redis.NewScript(luaNow + `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local exp, v = split(cur)
  if exp > now then
    return {1, v}
  end
end
return {0}
`)

// listScript reads every unexpired record. KEYS[1] the hash. Returns key, value, key, value …
var listScript = redis.NewScript(luaNow + `
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for j = 1, #all, 2 do
  if all[j] ~= NEXT then
    local exp, v = split(all[j + 1])
    if exp > now then
      out[#out + 1] = all[j]
      out[#out + 1] = v
    end
  end
end
return out
`)

// Put stores value under (scope, key) for ttl. One round trip.
func (s *Store) Put(ctx context.Context, scope, key string, value []byte, ttl time.Duration) error {
	if err := checkTTL("put", ttl); err != nil {
		return err
	}
	if err := putScript.Run(ctx, s.rdb, []string{keysOf(scope).rec}, key, value, ms(ttl)).Err(); err != nil {
		return fmt.Errorf("redis store: put: %w", err)
	}
	return nil
}

// Get returns the unexpired value under (scope, key). One round trip.
func (s *Store) Get(ctx context.Context, scope, key string) ([]byte, bool, error) {
	res, err := getScript.Run(ctx, s.rdb, []string{keysOf(scope).rec}, key).Slice()
	if err != nil {
		return nil, false, fmt.Errorf("redis store: get: %w", err)
	}
	if len(res) != 2 {
		return nil, false, nil
	}
	v, ok := res[1].(string)
	if !ok {
		return nil, false, fmt.Errorf("redis store: get: unexpected reply %T", res[1])
	}
	return []byte(v), true, nil
}

// Delete removes the value under (scope, key).
func (s *Store) Delete(ctx context.Context, scope, key string) error {
	if err := s.rdb.HDel(ctx, keysOf(scope).rec, key).Err(); err != nil {
		return fmt.Errorf("redis store: delete: %w", err)
	}
	return nil
}

// List returns every unexpired value under scope. One round trip.
func (s *Store) List(ctx context.Context, scope string) (map[string][]byte, error) {
	res, err := listScript.Run(ctx, s.rdb, []string{keysOf(scope).rec}).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("redis store: list: %w", err)
	}
	out := make(map[string][]byte, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		out[res[i]] = []byte(res[i+1])
	}
	return out, nil
}
