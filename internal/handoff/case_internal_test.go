package handoff

import (
	"regexp"
	"testing"
)

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
