package seal

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpens(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := b.Seal("scope-a", "+46701234567")
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := b.Seal("scope-a", "+46701234567")
	if bytes.Equal(s1, s2) {
		t.Error("two seals of the same value are equal: the nonce is not random")
	}
	if bytes.Contains(s1, []byte("46701234567")) {
		t.Error("the sealed value holds the number in plain text")
	}
	if got, err := b.Open("scope-a", s1); err != nil || got != "+46701234567" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	for name, tc := range map[string]struct {
		ctx    string
		sealed []byte
	}{
		"other context": {"scope-b", s1},
		"changed":       {"scope-a", append(append([]byte{}, s1[:len(s1)-1]...), s1[len(s1)-1]^1)},
		"too short":     {"scope-a", s1[:5]},
	} {
		if _, err := b.Open(tc.ctx, tc.sealed); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open err = %v, want ErrOpen", name, err)
		}
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open("scope-a", s1); !errors.Is(err, ErrOpen) {
		t.Error("another key opened the value")
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("a 5-byte key was accepted")
	}
}
