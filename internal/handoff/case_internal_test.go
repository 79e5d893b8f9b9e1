package handoff

import (
	"bytes"
	"regexp"
	"testing"
)

func TestSealedAddressOpensOnlyForItsScope(t *testing.T) {
	s, err := newSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.seal("scopeA", "+46701234567")
	b, _ := s.seal("scopeA", "+46701234567")
	if bytes.Contains(a, []byte("701234567")) || bytes.Equal(a, b) {
		t.Errorf("sealed number readable or nonce reused: %q %q", a, b)
	}
	if got, err := s.open("scopeA", a); err != nil || got != "+46701234567" {
		t.Errorf("open: %q %v", got, err)
	}
	if _, err := s.open("scopeB", a); err == nil {
		t.Error("a sealed number opened under another scope")
	}
	a[len(a)-1] ^= 1
	if _, err := s.open("scopeA", a); err == nil {
		t.Error("a tampered number opened")
	}
}

func TestCaseCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		c, err := newCode()
		if err != nil || !regexp.MustCompile(`^K-[2-9A-HJKMNP-Z]{4}$`).MatchString(c) {
			t.Fatalf("code %q, %v", c, err)
		}
		seen[c] = true
	}
	if len(seen) < 190 {
		t.Errorf("only %d distinct codes of 200", len(seen))
	}
}
