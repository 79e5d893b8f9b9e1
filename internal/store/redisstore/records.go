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
// Fields whose name starts with a NUL byte (the marker, casPut's tokens) are no records.
var listScript = redis.NewScript(luaNow + `
local out = {}
local all = redis.call('HGETALL', KEYS[1])
for j = 1, #all, 2 do
  if string.byte(all[j], 1) ~= 0 then
    local exp, v = split(all[j + 1])
    if exp > now then
      out[#out + 1] = all[j]
      out[#out + 1] = v
    end
  end
end
return out
`)

// tokenField names the field beside a record's that holds the token of the last
// CompareAndPut that wrote the record: NUL, "tok:", the record's key. It is "<expiry
// ms>:<token>", expiring with the record, so prune drops it with the record.
func tokenField(key string) string { return "\x00tok:" + key }

// casScript stores a record if it still holds the value expected, and notes the write's
// token beside it. A call sent again after it wrote (the client retries a script whose
// reply was lost) finds its own token and reports the write, rather than a conflict that
// would make Update apply its change twice.
// KEYS[1] the hash; ARGV: key, "1" when a record is expected (else "0"), the value
// expected, the new value, ttl in ms, token, the token's field.
// Returns 1 when stored (now or by this very call before), 0 when the record differs.
var casScript = redis.NewScript(luaNow + `
local found, v = false, false
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local exp, val = split(cur)
  if exp > now then
    found, v = true, val
  end
end
if found ~= (ARGV[2] == '1') or (found and v ~= ARGV[3]) then
  local tok = redis.call('HGET', KEYS[1], ARGV[7])
  if tok then
    local exp, t = split(tok)
    if exp > now and t == ARGV[6] then
      return 1
    end
  end
  return 0
end
local exp = now + tonumber(ARGV[5])
local nx = prune(KEYS[1])
put(KEYS[1], ARGV[1], exp, ARGV[4], nx)
local low = exp
if nx and nx < exp then
  low = nx
end
put(KEYS[1], ARGV[7], exp, ARGV[6], low)
return 1
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

// CompareAndPut stores value under (scope, key) for ttl if the unexpired record there is
// old (nil: none). One round trip.
func (s *Store) CompareAndPut(ctx context.Context, scope, key string, old, value []byte, ttl time.Duration) (bool, error) {
	if err := checkTTL("compare and put", ttl); err != nil {
		return false, err
	}
	want := "0"
	if old != nil {
		want = "1"
	}
	n, err := casScript.Run(ctx, s.rdb, []string{keysOf(scope).rec}, key, want, old, value, ms(ttl), newToken(), tokenField(key)).Int()
	if err != nil {
		return false, fmt.Errorf("redis store: compare and put: %w", err)
	}
	return n == 1, nil
}

// Delete removes the value under (scope, key), and the token of the CompareAndPut that
// wrote it, if one did.
func (s *Store) Delete(ctx context.Context, scope, key string) error {
	if err := s.rdb.HDel(ctx, keysOf(scope).rec, key, tokenField(key)).Err(); err != nil {
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
