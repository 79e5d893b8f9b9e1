package redisstore

import (
	"encoding/base64"
	"strings"
)

// Prefix starts every key trygg writes, so trygg can share a Redis with other programs and
// an operator can find (or delete) everything of trygg's with one pattern.
const Prefix = "trygg:"

// The parts of a scope's keys after its hash tag. Every record of a scope lives in one of
// these keys; Erase deletes exactly this list, so a new kind of per-scope record must be
// added here (and nowhere else) to be erased with the rest.
const (
	convSuffix = ":conv" // string "<version>:<token><data>": the conversation
	onceSuffix = ":once" // hash id → "<expiry ms>:<value>": Remember
	hitSuffix  = ":hit"  // hash window → "<expiry ms>:<count>": Hit
	recSuffix  = ":rec"  // hash key → "<expiry ms>:<value>": Records
)

// globalTag is the hash tag of the global scope "". No other scope maps to it: a safe
// scope is never empty and never contains '~', and an encoded one is longer.
const globalTag = "~"

// tag returns the hash tag for scope: the scope itself when it holds only characters that
// are safe in a key (pseudonyms do), otherwise '~' and the scope in unpadded base64url.
// The mapping is one-to-one, and a tag never contains '{' or '}', so a scope cannot break
// out of its braces, end its tag early or land in another scope's slot.
func tag(scope string) string {
	if scope == "" {
		return globalTag
	}
	if isSafe(scope) {
		return scope
	}
	return globalTag + base64.RawURLEncoding.EncodeToString([]byte(scope))
}

// maxSafeLen bounds the scopes used verbatim; longer ones are encoded like unsafe ones
// (which keeps the rule simple, not the keys short).
const maxSafeLen = 128

// isSafe reports whether scope can stand in a key as it is: letters, digits and "._:-".
func isSafe(scope string) bool {
	if len(scope) > maxSafeLen {
		return false
	}
	for _, c := range []byte(scope) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '_' || c == ':' || c == '-':
		default:
			return false
		}
	}
	return true
}

// scopeKeys are the keys of one scope, all in the slot of its hash tag.
type scopeKeys struct {
	conv, once, hit, rec string
}

// keysOf returns the keys of scope: trygg:{<tag>}:conv and so on.
func keysOf(scope string) scopeKeys {
	var b strings.Builder
	b.WriteString(Prefix)
	b.WriteByte('{')
	b.WriteString(tag(scope))
	b.WriteByte('}')
	base := b.String()
	return scopeKeys{conv: base + convSuffix, once: base + onceSuffix, hit: base + hitSuffix, rec: base + recSuffix}
}

// counter is the key of one window of the global scope: trygg:{~}:hit:<window>.
func counter(window string) string { return keysOf("").hit + ":" + window }

// all lists every key of the scope, for Erase.
func (k scopeKeys) all() []string { return []string{k.conv, k.once, k.hit, k.rec} }

// statsKey is the hash of one day's counters: trygg:stats:2006-01-02.
func statsKey(day string) string { return Prefix + "stats:" + day }
