package understand_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vasteras/trygg/bot/understand"
)

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "Jag är 16år", "\xff\xfe", "١٦", "😢", "a\u030a", strings.Repeat("å", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := understand.Normalize(s)
		if !utf8.ValidString(got) || strings.Contains(got, "  ") || strings.TrimSpace(got) != got {
			t.Fatalf("Normalize(%q) = %q is not in normal form", s, got)
		}
		if again := understand.Normalize(got); again != got {
			t.Fatalf("Normalize is not idempotent: %q → %q → %q", s, got, again)
		}
	})
}
