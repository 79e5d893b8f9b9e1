package redisstore

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/redis/go-redis/v9"

	"github.com/vasteras/trygg/internal/store"
)

// tokenLen is the length of a write's token in bytes.
const tokenLen = 8

// newToken returns a random token for one Save or Remember: unique among the writes to one
// key within its TTL, not secret.
func newToken() []byte { return binary.LittleEndian.AppendUint64(nil, rand.Uint64()) }

// The Lua scripts make each write one round trip and atomic. Each touches only the keys it
// is given (one scope's, so one Cluster slot). go-redis runs them with EVALSHA and falls
// back to EVAL once per server when the script is not cached there yet.
//
// Remember and Hit keep many records of a scope in one hash, each field carrying its own
// expiry as "<ms since the epoch>:<payload>". The hash itself expires no earlier than its
// longest-lived field, so every key has a TTL. The time is the Redis server's (TIME), the
// same for every trygg replica; expired fields are dropped when a field is added.
//
// Dropping them would mean reading the whole hash on every write: a resident who texts a
// lot has dozens of remembered replies, and that read made a turn's scripts cost hundreds
// of microseconds of the single Redis thread. So each hash also keeps the earliest expiry
// of its fields in the field "\0next" (a name no caller uses: ids and keys are printable),
// and a write reads the whole hash only when that moment has passed: expired fields are
// still dropped at the first write after they expire, and a hash of unexpired fields costs
// one HGET more per write.
//
// Save and Remember carry a token, random per call, that they store with what they write.
// A client may send a script again when the reply was lost (go-redis' Cluster client does
// so on a timeout); a script that finds its own token reports what it did the first time
// instead of doing it twice. Without it a retried Save would see its own write as a
// conflict, and the turn would be applied twice.

// luaNow is the prelude that sets now to the server's time in milliseconds, and defines
// split (the expiry and payload of a field), prune (drop the expired fields of a hash, if
// any expired), put (store a field, keep the earliest expiry, make the hash live at least
// as long as the field) and keep (store a reservation in a hash that keeps its last n).
// Every redis.call costs the single Redis thread a few microseconds, so the helpers make
// as few as they can: prune reads the marker once and hands it to put.
//
// A resident's hash of remembered values, once Admit has reserved a message in it with
// Keep, keeps its last n reservations instead: the fields "\0<slot>" (slot 0 … n-1) name
// the reserved ids, "\0head" counts the reservations, and keep puts each new one in the
// next slot, deleting the id that held it and that id's answer (store.AnswerID). Such a
// hash costs the same to write whatever its history: its size is bounded by n, so it is
// never pruned by reading it whole; "\0next" holds "-" to say so, and an expired field
// stays invisible (every read checks its expiry) until its slot is reused or the hash
// expires. Fields whose names start with "\0" are the hash's own; ids and keys are
// printable. A hash written before it kept a ring is read whole once, when keep first
// writes to it, to drop what has expired; what has not stays until the hash expires.
const luaNow = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function split(field)
  local i = string.find(field, ':', 1, true)
  return tonumber(string.sub(field, 1, i - 1)), string.sub(field, i + 1)
end
local NEXT = '\0next'
local KEPT = '-'
local function prune(key)
  local nxs = redis.call('HGET', key, NEXT)
  if nxs == KEPT then
    return KEPT
  end
  local nx = tonumber(nxs)
  if nx and nx > now then
    return nx
  end
  local all = redis.call('HGETALL', key)
  local low = false
  for j = 1, #all, 2 do
    if string.byte(all[j], 1) ~= 0 then
      local e = split(all[j + 1])
      if e <= now then
        redis.call('HDEL', key, all[j])
      elseif not low or e < low then
        low = e
      end
    end
  end
  if low then
    redis.call('HSET', key, NEXT, string.format('%d', low))
  elseif nx then
    redis.call('HDEL', key, NEXT)
  end
  return low
end
local function outlive(key, exp)
  if redis.call('PTTL', key) < exp - now then
    redis.call('PEXPIRE', key, exp - now)
  end
end
local function put(key, field, exp, payload, nx)
  redis.call('HSET', key, field, string.format('%d:', exp) .. payload)
  if nx == KEPT then
    outlive(key, exp)
    return
  end
  if not nx then
    redis.call('HSET', key, NEXT, string.format('%d', exp))
    redis.call('PEXPIRE', key, exp - now)
    return
  end
  if exp < nx then
    redis.call('HSET', key, NEXT, string.format('%d', exp))
  end
  redis.call('PEXPIRE', key, exp - now, 'GT')
end
local HEAD = '\0head'
local function keep(key, field, exp, payload, n)
  if redis.call('HGET', key, NEXT) ~= KEPT then
    redis.call('HDEL', key, NEXT)
    prune(key)
    redis.call('HSET', key, NEXT, KEPT)
  end
  local slot = '\0' .. ((redis.call('HINCRBY', key, HEAD, 1) - 1) % n)
  local gone = redis.call('HGET', key, slot)
  if gone then
    redis.call('HDEL', key, gone, gone .. '` + store.AnswerSuffix + `')
  end
  redis.call('HSET', key, slot, field, field, string.format('%d:', exp) .. payload)
  outlive(key, exp)
end
`

// put's two ways to set the hash's TTL rest on what prune returned. Without an earliest
// expiry, no unexpired field was left: the hash was new or emptied (Redis deletes an empty
// hash), so it has no TTL and a plain PEXPIRE sets one. With one, the hash has a TTL (every
// write sets one), and PEXPIRE … GT only ever lengthens it. (GT alone would not do for a new
// hash: Redis treats a key without a TTL as living forever.)

// luaSave defines save(), which stores a conversation if its version is still the one
// loaded. The value is a string "<version>:<8-byte token><data>": more compact than a
// hash, whose fields turn into a full hash table once a value passes 64 bytes (a typical
// state: 184 bytes against 376 in MEMORY USAGE).
// KEYS[1] the conversation; ARGV[1..4]: expected version, data, ttl in ms, token.
// save() returns the new version and whether it wrote now, or -1 when the stored version
// differs (a missing or expired conversation is version 0) and is not this save's own; a
// save sent again that finds its own token returns its version without writing.
const luaSave = `
local function save()
  local cur = redis.call('GET', KEYS[1])
  local v, token = 0, false
  if cur then
    local i = string.find(cur, ':', 1, true)
    v = tonumber(string.sub(cur, 1, i - 1))
    token = string.sub(cur, i + 1, i + 8)
  end
  local want = tonumber(ARGV[1])
  if v ~= want then
    if v == want + 1 and token == ARGV[4] then
      return v, false
    end
    return -1, false
  end
  v = v + 1
  redis.call('SET', KEYS[1], string.format('%d:', v) .. ARGV[4] .. ARGV[2], 'PX', ARGV[3])
  return v, true
end
`

// saveScript is save(). Returns the new version, or -1 on a conflict.
var saveScript = redis.NewScript(luaSave + `
local v = save()
return v
`)

// rememberScript stores a value under an id unless an unexpired one is there. A field is
// "<expiry ms>:<8-byte token><value>".
// KEYS[1] the scope's hash of remembered values; ARGV: id, value, ttl in ms, token.
// Returns {1, value stored before} or {0} when the value was stored now (or by this very
// call, sent again).
var rememberScript = redis.NewScript(luaNow + `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local exp, rest = split(old)
  if exp > now then
    if string.sub(rest, 1, 8) == ARGV[4] then
      return {0}
    end
    return {1, string.sub(rest, 9)}
  end
end
put(KEYS[1], ARGV[1], now + tonumber(ARGV[3]), ARGV[4] .. ARGV[2], prune(KEYS[1]))
return {0}
`)

// hitScript counts one event in a fixed window that opens with its first hit. It has no
// token: a hit sent again counts twice, which only makes a rate limit a little stricter.
// KEYS[1] the scope's hash of windows; ARGV: window, ttl in ms. Returns the count so far.
var hitScript = redis.NewScript(luaNow + `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local e, c = split(cur)
  if e > now then
    local n = tonumber(c) + 1
    redis.call('HSET', KEYS[1], ARGV[1], string.format('%d:%d', e, n))
    return n
  end
end
put(KEYS[1], ARGV[1], now + tonumber(ARGV[2]), 1, prune(KEYS[1]))
return 1
`)

// admitScript is the part of Admit in the resident's slot: unless the message id was
// reserved before, count the message in the sender's window like hitScript and reserve the
// id like rememberScript, but only while the count is within the sender's limit + 1 (past
// that the message gets no answer, and is not kept); and read the conversation, for the
// turn's first attempt.
// KEYS[1] the scope's hash of remembered values, KEYS[2] its hash of windows, KEYS[3] its
// conversation; ARGV: id, value, ttl in ms, token, window, window ttl in ms, the sender's
// limit, keep (how many reservations the hash keeps; 0: all, each for its ttl).
// Where all keys live on one server (not a Cluster), KEYS[4] may name the global window's
// counter, with ARGV[9] the global window's ttl in ms: the script then also counts the
// message there, like counterScript, when the separate calls would (not a duplicate, the
// sender within the limit), and nothing needs taking back.
// Returns {1, value stored before} for a duplicate, else {0, count, conversation or false,
// global count or 0, 1 when the id is reserved or 0}.
var admitScript = redis.NewScript(luaNow + `
local old = redis.call('HGET', KEYS[1], ARGV[1])
local mine = false
if old then
  local exp, rest = split(old)
  if exp > now then
    if string.sub(rest, 1, 8) ~= ARGV[4] then
      return {1, string.sub(rest, 9)}
    end
    mine = true
  end
end
local n = 0
local cur = redis.call('HGET', KEYS[2], ARGV[5])
if cur then
  local e, c = split(cur)
  if e > now then
    n = tonumber(c) + 1
    redis.call('HSET', KEYS[2], ARGV[5], string.format('%d:%d', e, n))
  end
end
if n == 0 then
  n = 1
  put(KEYS[2], ARGV[5], now + tonumber(ARGV[6]), 1, prune(KEYS[2]))
end
local limit = tonumber(ARGV[7])
local reserved = 0
if mine then
  reserved = 1
elseif n <= limit + 1 then
  local exp, size = now + tonumber(ARGV[3]), tonumber(ARGV[8])
  if size > 0 then
    keep(KEYS[1], ARGV[1], exp, ARGV[4] .. ARGV[2], size)
  else
    put(KEYS[1], ARGV[1], exp, ARGV[4] .. ARGV[2], prune(KEYS[1]))
  end
  reserved = 1
end
local g = 0
if KEYS[4] and n <= limit then
  g = redis.call('INCR', KEYS[4])
  if g == 1 then
    redis.call('PEXPIRE', KEYS[4], ARGV[9])
  end
end
return {0, n, redis.call('GET', KEYS[3]), g, reserved}
`)

// counterScript counts one event in a fixed window of the global scope, which is no
// resident's and never erased: there each window is a counter of its own,
// trygg:{~}:hit:<window>, that expires with its window. INCR and PEXPIRE in one script, so
// a counter never lives without its TTL (one that did would hold the global limit shut).
// It costs Redis a fraction of hitScript: no TIME, no hash, nothing to prune.
// KEYS[1] the window's counter; ARGV: ttl in ms. Returns the count so far.
var counterScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`)

// uncountScript takes back one hit that Admit counted in the global window speculatively,
// for a message that the separate calls would not have counted there (a duplicate, or a
// sender past its limit). A window that expired meanwhile is left alone.
// KEYS[1] the window's counter. Returns the count left.
var uncountScript = redis.NewScript(`
local n = tonumber(redis.call('GET', KEYS[1]))
if not n or n <= 0 then
  return 0
end
return redis.call('DECR', KEYS[1])
`)

// saveRememberScript is save() and, when it writes, rememberScript's write: both keys
// carry the scope's tag, so they share a slot.
// KEYS[1] the conversation, KEYS[2] the scope's hash of remembered values; ARGV: expected
// version, data, ttl in ms, token, id, value, remember ttl in ms.
// Returns the new version, or -1 on a conflict (nothing written).
var saveRememberScript = redis.NewScript(luaNow + luaSave + `
local v, wrote = save()
if not wrote then
  return v
end
local old = redis.call('HGET', KEYS[2], ARGV[5])
if old and split(old) > now then
  return v
end
put(KEYS[2], ARGV[5], now + tonumber(ARGV[7]), ARGV[4] .. ARGV[6], prune(KEYS[2]))
return v
`)
