package handoff

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Store scopes and keys of a handoff. The case and the encrypted address live under the
// resident's scope, so erasing the conversation erases them; the indexes are global.
const (
	// keyCase holds the resident's open case (a caseRecord as JSON).
	keyCase = "handoff"
	// keyTo holds the resident's address (the phone number) sealed with AES-GCM.
	keyTo = "handoff_to"
	// inboxPrefix starts the keys of staff replies queued for the web chat.
	inboxPrefix = "handoff_inbox:"
	// CasesScope maps each open case code to the resident's scope.
	CasesScope = "handoff-cases"
	// ThreadsScope maps each case card's Slack message ts to the case code.
	ThreadsScope = "handoff-threads"
	// takenScope is the set-once guard of who took a case.
	takenScope = "handoff-taken"
	// endedScope is the set-once guard that ends a case once, whoever ends it.
	endedScope = "handoff-ended"
)

// caseRecord is what trygg keeps about an open case: no message text, no number.
type caseRecord struct {
	Code     string    `json:"code"`
	Channel  string    `json:"channel"`
	Lang     string    `json:"lang,omitempty"`
	Topic    string    `json:"topic,omitempty"`
	Age      string    `json:"age,omitempty"`
	Started  time.Time `json:"started"`
	Deadline time.Time `json:"deadline"`
	TS       string    `json:"ts,omitempty"`
	TakenBy  string    `json:"taken_by,omitempty"`
	Answered bool      `json:"answered,omitempty"`
}

func (c caseRecord) card() Card {
	return Card{Code: c.Code, Channel: c.Channel, Lang: c.Lang, Topic: c.Topic, Age: c.Age, Started: c.Started, TakenBy: c.TakenBy}
}

func decodeCase(b []byte) (caseRecord, error) {
	var c caseRecord
	if err := json.Unmarshal(b, &c); err != nil {
		return caseRecord{}, fmt.Errorf("decode case: %w", err)
	}
	return c, nil
}

// codeAlphabet has no 0/O, 1/I/L: a code is read aloud and typed.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCode returns a random case code such as K-7F3Q, from crypto/rand: never derived from
// the resident's pseudonym, so a code tells nothing about who it is.
func newCode() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("case code: %w", err)
	}
	out := []byte("K-")
	for _, x := range b {
		out = append(out, codeAlphabet[int(x)%len(codeAlphabet)])
	}
	return string(out), nil
}

// sealer encrypts the resident's address with AES-256-GCM and a random nonce.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, fmt.Errorf("address key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, fmt.Errorf("address key: %w", err)
	}
	return sealer{aead: aead}, nil
}

// seal encrypts plain, bound to scope (a sealed number moved to another scope does not open).
func (s sealer) seal(scope, plain string) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("nonce: %w", err)
	}
	return s.aead.Seal(nonce, nonce, []byte(plain), []byte(scope)), nil
}

// open decrypts what seal made for scope.
func (s sealer) open(scope string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("sealed address too short")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(scope))
	if err != nil {
		return "", errors.New("sealed address does not open")
	}
	return string(plain), nil
}
