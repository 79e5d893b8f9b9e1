// Package pseudonym turns a phone number or other address into a stable pseudonym with a
// keyed hash, so trygg never stores who wrote.
//
// The same address on the same channel always gives the same pseudonym under the same
// secret, so a conversation can be found again; without the secret the pseudonym cannot be
// traced back to the address, not even by hashing every possible phone number.
package pseudonym

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
)

// MinSecretLen is the shortest secret New accepts, in bytes.
const MinSecretLen = 16

// pseudonymLen is how many bytes of the HMAC a pseudonym keeps: 128 bits, far beyond any
// chance of two residents meeting.
const pseudonymLen = 16

// encoding is lowercase base32 without padding: letters a–z and digits 2–7 only, so a
// pseudonym is safe inside Redis keys and hash tags (no '{', '}' or ':').
var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Hasher makes pseudonyms and derived keys from one secret key. It is safe for concurrent
// use. Printing a Hasher never shows its key.
type Hasher struct {
	key []byte
}

// New returns a Hasher keyed with secret, which must be at least MinSecretLen bytes. The
// secret is copied, so the caller may wipe or reuse it.
func New(secret []byte) (*Hasher, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("pseudonym: secret is %d bytes, want at least %d", len(secret), MinSecretLen)
	}
	return &Hasher{key: append([]byte{}, secret...)}, nil
}

// Random returns a Hasher with a random 32-byte key, for development: its pseudonyms change
// with every process, so stored conversations are not found again after a restart.
func Random() *Hasher {
	key := make([]byte, 32)
	// crypto/rand.Read never returns an error: it crashes the program if the system's
	// random source fails.
	_, _ = rand.Read(key)
	return &Hasher{key: key}
}

// Of returns the pseudonym of address on channel (e.g. "sms", "+46701234567"): 26
// characters of lowercase base32, the first 128 bits of HMAC-SHA256(key, channel + NUL +
// address). channel is a name chosen in code and must not contain NUL.
func (h *Hasher) Of(channel, address string) string {
	mac := hmac.New(sha256.New, h.key)
	mac.Write([]byte(channel))
	mac.Write([]byte{0})
	mac.Write([]byte(address))
	return encoding.EncodeToString(mac.Sum(nil)[:pseudonymLen])
}

// Key derives a 32-byte key for purpose (e.g. "handoff-aes") from the Hasher's key, as
// HMAC-SHA256(key, "trygg:" + purpose), so one secret serves several uses without one
// use's key revealing another's. purpose is a name chosen in code; Key panics when it
// contains NUL, which keeps derived keys apart from the inputs of Of.
func (h *Hasher) Key(purpose string) []byte {
	if strings.ContainsRune(purpose, 0) {
		panic("pseudonym: Key purpose contains NUL")
	}
	mac := hmac.New(sha256.New, h.key)
	mac.Write([]byte("trygg:" + purpose))
	return mac.Sum(nil)
}

// String returns a description of h that leaves out its key, so logging a Hasher by
// mistake leaks nothing.
func (h *Hasher) String() string { return "pseudonym.Hasher{key: redacted}" }

// GoString is String for the %#v verb.
func (h *Hasher) GoString() string { return h.String() }
