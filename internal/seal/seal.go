// Package seal encrypts the few personal values trygg must keep for a while (a resident's
// phone number during a handoff, a kontaktombud's number in the register) with AES-256-GCM
// and a random nonce. A sealed value is bound to a context string (the resident's scope,
// the ombud's id): moved anywhere else, it does not open.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// ErrOpen means a sealed value does not open: it was changed, or moved to another context.
var ErrOpen = errors.New("seal: the sealed value does not open")

// Box seals and opens values under one key. It is safe for concurrent use.
type Box struct{ aead cipher.AEAD }

// New returns a Box for a 16-, 24- or 32-byte key (32: AES-256), such as a key from
// pseudonym.Hasher.Key.
func New(key []byte) (*Box, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: key: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain bound to context: nonce || ciphertext.
func (b *Box) Seal(context, plain string) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return b.aead.Seal(nonce, nonce, []byte(plain), []byte(context)), nil
}

// Open decrypts what Seal made for context, or returns ErrOpen.
func (b *Box) Open(context string, sealed []byte) (string, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n {
		return "", ErrOpen
	}
	plain, err := b.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}
