package whatsapp_test

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/vasteras/trygg/internal/whatsapp"
)

// TestSplit checks the 1,600-character limit: a short text is one message; a long one is
// cut at paragraph, line or word boundaries, every part within the limit, nothing lost,
// and a phone number never cut.
func TestSplit(t *testing.T) {
	para := strings.Repeat("ord ", 300) // 1,200 characters
	numbers := strings.Repeat("Ring 010-567 63 25 eller 021-41 32 60. ", 60)
	tests := []struct {
		name  string
		text  string
		parts int
	}{
		{"short", "Hej. Ring 112.", 1},
		{"exactly the limit", strings.Repeat("a", whatsapp.MaxMessage), 1},
		{"two paragraphs", para + "\n\n" + para, 2},
		{"numbers", numbers, 2},
		{"one long word", strings.Repeat("a", 2*whatsapp.MaxMessage+1), 3},
		{"Arabic", strings.Repeat("اتصل على 112. ", 200), 2},
		{"emoji count double", strings.Repeat("😀", whatsapp.MaxMessage/2+1), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := whatsapp.Split(tt.text)
			if len(got) != tt.parts {
				t.Errorf("%d parts, want %d", len(got), tt.parts)
			}
			for i, p := range got {
				if n := len(utf16.Encode([]rune(p))); n > whatsapp.MaxMessage {
					t.Errorf("part %d has %d characters", i, n)
				}
			}
			squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
			if squash(strings.Join(got, "")) != squash(tt.text) {
				t.Error("text lost or changed in the parts")
			}
			if tt.name == "numbers" {
				for _, p := range got {
					if strings.Count(p, "010-567 63 25") != strings.Count(p, "010-567") || strings.Count(p, "021-41 32 60") != strings.Count(p, "021-41") {
						t.Errorf("a number was cut: %q…", p[len(p)-40:])
					}
				}
			}
		})
	}
}
