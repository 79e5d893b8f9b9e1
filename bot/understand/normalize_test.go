package understand_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vasteras/trygg/bot/understand"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only spaces", "   \t  ", ""},
		{"lower case", "HEJ Hej hEj", "hej hej hej"},
		{"swedish letters", "Rånad ÄR Östen", "ranad ar osten"},
		{"without swedish letters stays", "ranad ar osten", "ranad ar osten"},
		{"finnish letters", "Minut ryöstettiin, HÄN", "minut ryostettiin han"},
		{"other latin diacritics", "café naïve señor Ñandú", "cafe naive senor nandu"},
		{"eszett and ligatures", "Straße Æble Øre łódź", "strasse aeble ore lodz"},
		{"combining ring", "ra\u030anad", "ranad"},
		{"combining diaeresis", "ho\u0308r", "hor"},
		{"digits glued to letters", "16år", "16 ar"},
		{"digits glued both sides", "abc123def", "abc 123 def"},
		{"a road through Västerås, not an age", "kör på E18 mot Köping, sen e20", "kor pa e18 mot koping sen e20"},
		{"a road ends with its digits", "E18:an", "e18 an"},
		{"other numbers after e stay split", "ja e17, hon e 18, e180", "ja e 17 hon e 18 e 180"},
		{"an e inside a word is no road", "hade18", "hade 18"},
		{"hyphenated age", "16-åring", "16 aring"},
		{"number word with suffix stays one word", "sextonåring", "sextonaring"},
		{"apostrophe dropped", "I'm 16", "im 16"},
		{"typographic apostrophe dropped", "don\u2019t", "dont"},
		{"backtick and acute dropped", "I`m I\u00b4m", "im im"},
		{"punctuation is space", "hej!!! jag...blev, rånad?", "hej jag blev ranad"},
		{"emoji", "hjälp 😢 jag 🙏🏽 blev rånad 👨‍👩‍👧", "hjalp jag blev ranad"},
		{"only emoji", "😢😢😢", ""},
		{"arabic-indic digits", "جاگ ١٦", "جاگ 16"},
		{"arabic-indic digits in swedish", "jag är ١٦", "jag ar 16"},
		{"persian digits", "۱۶ år", "16 ar"},
		{"fullwidth digits", "１６", "16"},
		{"devanagari digits", "१६", "16"},
		{"arabic letters kept, harakat dropped", "مَرْحَبًا", "مرحبا"},
		{"right-to-left marks are space", "\u200fhej\u200f\u202ejag\u202c", "hej jag"},
		{"control characters are space", "hej\x00då\tok\r\nslut\x1b[0m", "hej da ok slut 0 m"},
		{"invalid utf-8 is space", "hej\xffdå\xc3", "hej da"},
		{"non-breaking and zero-width spaces", "hej\u00a0då\u200bnu", "hej da nu"},
		{"greek lower-cased", "ΣΟΣ", "σοσ"},
		{"cyrillic lower-cased", "ПОМОГИТЕ", "помогите"},
		{"dotted capital I", "İ", "i"},
		{"mixed scripts split by class only", "hej١٦مرحبا", "hej 16 مرحبا"},
		{"superscript digits are not digits", "16²", "16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := understand.Normalize(tt.in)
			if got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// Whatever the input, the output is valid UTF-8 with single spaces and no
			// leading or trailing space, and normalising again changes nothing.
			if !utf8.ValidString(got) || strings.Contains(got, "  ") || strings.TrimSpace(got) != got {
				t.Errorf("Normalize(%q) = %q is not in normal form", tt.in, got)
			}
			if again := understand.Normalize(got); again != got {
				t.Errorf("Normalize is not idempotent: %q → %q → %q", tt.in, got, again)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	got := understand.Tokens(understand.Normalize("Jag är 16år, blev RÅNAD!"))
	want := []string{"jag", "ar", "16", "ar", "blev", "ranad"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Tokens = %q, want %q", got, want)
	}
	if got := understand.Tokens(""); len(got) != 0 {
		t.Errorf("Tokens(\"\") = %q, want none", got)
	}
}

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
