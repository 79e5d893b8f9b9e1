package pseudonym

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

var (
	secretA = []byte("0123456789abcdef0123456789abcdef")
	secretB = []byte("fedcba9876543210fedcba9876543210")
)

// Values computed with Python's hmac module, independently of this package.
const (
	knownSMS = "zsvqahibp2hb5exv3e3kahfxxy"                                       // Of("sms", "+46701234567") under secretA
	knownKey = "4262c7150f489566198f69354d69a580398322c1979e8a86f33022b2be1a1a57" // Key("handoff-aes") under secretA
)

func mustNew(t *testing.T, secret []byte) *Hasher {
	t.Helper()
	h, err := New(secret)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

func TestNewRejectsShortSecret(t *testing.T) {
	tests := []struct {
		name    string
		secret  []byte
		wantErr bool
	}{
		{"nil", nil, true},
		{"empty", []byte{}, true},
		{"15 bytes", bytes.Repeat([]byte{'x'}, 15), true},
		{"16 bytes", bytes.Repeat([]byte{'x'}, 16), false},
		{"32 bytes", secretA, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := New(tt.secret)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New(%d bytes) error = %v, want error %v", len(tt.secret), err, tt.wantErr)
			}
			if (h == nil) != tt.wantErr {
				t.Fatalf("New(%d bytes) Hasher = %v, want nil %v", len(tt.secret), h, tt.wantErr)
			}
		})
	}
}

// TestOfKnownValue pins the construction, so a change that would orphan every stored
// conversation shows up here: HMAC-SHA256(secretA, "sms\x00+46701234567")[:16], base32,
// lowercase, no padding.
func TestOfKnownValue(t *testing.T) {
	got := mustNew(t, secretA).Of("sms", "+46701234567")
	if got != knownSMS {
		t.Fatalf("Of = %q, want %q", got, knownSMS)
	}
}

func TestOf(t *testing.T) {
	a, b := mustNew(t, secretA), mustNew(t, secretB)
	base := a.Of("sms", "+46701234567")
	tests := []struct {
		name     string
		got      string
		wantSame bool
	}{
		{"same input, same hasher", a.Of("sms", "+46701234567"), true},
		{"same secret, another hasher", mustNew(t, secretA).Of("sms", "+46701234567"), true},
		{"other channel", a.Of("slack", "+46701234567"), false},
		{"other address", a.Of("sms", "+46701234568"), false},
		{"other secret", b.Of("sms", "+46701234567"), false},
		{"channel and address run together", a.Of("sms+", "46701234567"), false},
		{"address without plus", a.Of("sms", "46701234567"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if same := tt.got == base; same != tt.wantSame {
				t.Fatalf("Of = %q, base %q: same = %v, want %v", tt.got, base, same, tt.wantSame)
			}
		})
	}
}

func TestOfCharset(t *testing.T) {
	h := mustNew(t, secretA)
	for i := range 1000 {
		p := h.Of("sms", fmt.Sprintf("+467%08d", i))
		if len(p) != 26 {
			t.Fatalf("Of = %q: %d characters, want 26", p, len(p))
		}
		for _, r := range p {
			if !('a' <= r && r <= 'z' || '2' <= r && r <= '7') {
				t.Fatalf("Of = %q contains %q, want only a-z and 2-7", p, r)
			}
		}
	}
}

func TestOfHidesPhoneNumber(t *testing.T) {
	const phone = "+46701234567"
	for _, h := range []*Hasher{mustNew(t, secretA), mustNew(t, secretB), Random()} {
		p := h.Of("sms", phone)
		for _, part := range []string{phone, "46701234567", "0701234567", "701234567"} {
			if strings.Contains(p, part) {
				t.Fatalf("Of(%q) = %q contains %q", phone, p, part)
			}
		}
	}
}

func TestNewCopiesSecret(t *testing.T) {
	secret := append([]byte{}, secretA...)
	h := mustNew(t, secret)
	before := h.Of("sms", "+46701234567")
	copy(secret, secretB)
	if after := h.Of("sms", "+46701234567"); after != before {
		t.Fatalf("Of changed from %q to %q when the caller reused its secret buffer", before, after)
	}
}

func TestRandom(t *testing.T) {
	a, b := Random(), Random()
	if a.Of("sms", "+46701234567") == b.Of("sms", "+46701234567") {
		t.Fatal("two Random hashers gave the same pseudonym")
	}
	if got := a.Of("sms", "+46701234567"); got != a.Of("sms", "+46701234567") {
		t.Fatal("a Random hasher is not stable")
	}
}

func TestKey(t *testing.T) {
	a, b := mustNew(t, secretA), mustNew(t, secretB)
	handoff := a.Key("handoff-aes")
	if len(handoff) != 32 {
		t.Fatalf("Key length = %d, want 32", len(handoff))
	}
	tests := []struct {
		name     string
		got      []byte
		wantSame bool
	}{
		{"same purpose", a.Key("handoff-aes"), true},
		{"other purpose", a.Key("export"), false},
		{"empty purpose", a.Key(""), false},
		{"other secret", b.Key("handoff-aes"), false},
		{"not the master key", secretA, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if same := bytes.Equal(tt.got, handoff); same != tt.wantSame {
				t.Fatalf("Key = %x, handoff-aes %x: same = %v, want %v", tt.got, handoff, same, tt.wantSame)
			}
		})
	}
	// The caller owns the returned slice.
	k := a.Key("handoff-aes")
	k[0] ^= 0xff
	if !bytes.Equal(a.Key("handoff-aes"), handoff) {
		t.Fatal("changing a returned key changed the next one")
	}
}

func TestKeyKnownValue(t *testing.T) {
	if got := fmt.Sprintf("%x", mustNew(t, secretA).Key("handoff-aes")); got != knownKey {
		t.Fatalf("Key = %s, want %s", got, knownKey)
	}
}

func TestKeyRejectsNUL(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Key with NUL in purpose did not panic")
		}
	}()
	mustNew(t, secretA).Key("sms\x00+46701234567")
}

func TestPrintingHidesKey(t *testing.T) {
	h := mustNew(t, secretA)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, h); strings.Contains(out, "48") || strings.Contains(out, "0123") {
			t.Errorf("Sprintf(%q, h) = %q shows the key", verb, out)
		}
	}
}
