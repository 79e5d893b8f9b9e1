package gsm7

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAnalyze(t *testing.T) {
	r := strings.Repeat
	tests := []struct {
		name string
		text string
		want Info
	}{
		{"empty", "", Info{GSM7, 0, 0}},
		{"one char", "a", Info{GSM7, 1, 1}},
		{"ascii 160", r("a", 160), Info{GSM7, 160, 1}},
		{"ascii 161", r("a", 161), Info{GSM7, 161, 2}},
		{"ascii 306", r("a", 306), Info{GSM7, 306, 2}},
		{"ascii 307", r("a", 307), Info{GSM7, 307, 3}},
		{"459 = 3×153", r("a", 459), Info{GSM7, 459, 3}},
		{"460", r("a", 460), Info{GSM7, 460, 4}},
		{"swedish and finnish letters", "åäöÅÄÖ", Info{GSM7, 6, 1}},
		{"Swedish sentence", "Hej! Vill du prata med någon om det som hänt? Svara JA.", Info{GSM7, 55, 1}},
		{"newline and carriage return", "a\r\nb", Info{GSM7, 4, 1}},
		{"Ç is basic", "Ça", Info{GSM7, 2, 1}},
		{"euro is 2 septets", "€", Info{GSM7, 2, 1}},
		{"brackets are 2 septets each", "[]", Info{GSM7, 4, 1}},
		{"every extension char", "^{}\\[~]|€\f", Info{GSM7, 20, 1}},
		{"80 euro = 160 septets", r("€", 80), Info{GSM7, 160, 1}},
		{"80 euro + 1", r("€", 80) + "a", Info{GSM7, 161, 2}},
		{"81 euro", r("€", 81), Info{GSM7, 162, 2}},
		// 76 € fill 152 septets; the 77th would straddle the 153 boundary.
		{"153 euro: 76+76+1 per segment", r("€", 153), Info{GSM7, 306, 3}},
		{"152 euro", r("€", 152), Info{GSM7, 304, 2}},
		{"159 a + euro", r("a", 159) + "€", Info{GSM7, 161, 2}},
		// 152 a, then € does not fit the first segment's last septet: 152 | 2+151 | 1.
		{"euro straddles the boundary", r("a", 152) + "€" + r("a", 152), Info{GSM7, 306, 3}},
		{"euro just before the boundary", r("a", 151) + "€" + r("a", 153), Info{GSM7, 306, 2}},
		{"euro just after the boundary", r("a", 153) + "€" + r("a", 151), Info{GSM7, 306, 2}},
		{"emoji", "😀", Info{UCS2, 2, 1}},
		{"emoji in Swedish", "Tack 😀", Info{UCS2, 7, 1}},
		{"curly quote", "Det är ’bra’", Info{UCS2, 12, 1}},
		{"en dash", "9–16", Info{UCS2, 4, 1}},
		{"ellipsis", "…", Info{UCS2, 1, 1}},
		{"ç", "ç", Info{UCS2, 1, 1}},
		{"á", "á", Info{UCS2, 1, 1}},
		{"euro in UCS-2 counts 1", "€ç", Info{UCS2, 2, 1}},
		{"70 UCS-2", r("ç", 70), Info{UCS2, 70, 1}},
		{"71 UCS-2", r("ç", 71), Info{UCS2, 71, 2}},
		{"134 UCS-2", r("ç", 134), Info{UCS2, 134, 2}},
		{"135 UCS-2", r("ç", 135), Info{UCS2, 135, 3}},
		{"35 emoji = 70 units", r("😀", 35), Info{UCS2, 70, 1}},
		// 33 emoji fill 66 units; the 34th would split a surrogate pair.
		{"36 emoji", r("😀", 36), Info{UCS2, 72, 2}},
		{"67 emoji", r("😀", 67), Info{UCS2, 134, 3}},
		{"emoji straddles the boundary", r("ç", 66) + "😀" + r("ç", 66), Info{UCS2, 134, 3}},
		{"one ç makes 159 a UCS-2", r("a", 159) + "ç", Info{UCS2, 160, 3}},
		{"invalid UTF-8", "a\xffb", Info{UCS2, 3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Analyze(tt.text); got != tt.want {
				t.Errorf("Analyze = %+v, want %+v", got, tt.want)
			}
			if got, want := IsGSM7(tt.text), tt.want.Encoding == GSM7; got != want {
				t.Errorf("IsGSM7 = %v, want %v", got, want)
			}
		})
	}
}

func TestNonGSM(t *testing.T) {
	tests := []struct {
		text string
		want []rune
	}{
		{"", nil},
		{"Hej på dig! {€}", nil},
		{"ça ç va", []rune{'ç'}},
		{"’a’ – b… ’", []rune{'’', '–', '…'}},
		{"😀 Ç ç 😀", []rune{'😀', 'ç'}},
		{"a\xff\xfeb", []rune{utf8.RuneError}},
	}
	for _, tt := range tests {
		if got := NonGSM(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("NonGSM(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestEncodingString(t *testing.T) {
	tests := []struct {
		e    Encoding
		want string
	}{
		{GSM7, "GSM-7"},
		{UCS2, "UCS-2"},
		{Encoding(7), "Encoding(7)"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("Encoding(%d).String() = %q, want %q", int(tt.e), got, tt.want)
		}
	}
}

// TestAlphabet compares the whole alphabet, rune by rune across the BMP and beyond, with
// the GSM 03.38 tables as written in the shared libraries notes.
func TestAlphabet(t *testing.T) {
	const basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà"
	const extension = "^{}\\[~]|€\f"
	want := make(map[rune]int)
	rs := []rune(basic)
	for i := 0; i < len(rs); i++ {
		if i+2 < len(rs) && rs[i+1] == '-' && rs[i] != ',' { // a range such as 0-9, not ",-."
			for r := rs[i]; r <= rs[i+2]; r++ {
				want[r] = 1
			}
			i += 2
			continue
		}
		want[rs[i]] = 1
	}
	for _, r := range extension {
		want[r] = 2
	}
	// 128 code points minus escape; 9 printable extension characters plus form feed.
	if n := countCost(want, 1); n != 127 {
		t.Fatalf("the notes' basic set has %d characters, want 127", n)
	}
	if n := countCost(want, 2); n != 10 {
		t.Fatalf("the notes' extension table has %d characters, want 10", n)
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if got := septets(r); got != want[r] {
			t.Errorf("septets(%q) = %d, want %d", r, got, want[r])
		}
	}
}

func countCost(m map[rune]int, cost int) int {
	n := 0
	for _, c := range m {
		if c == cost {
			n++
		}
	}
	return n
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "a", "åäö", "€[]", "😀", "’", "ç", "a\xff", strings.Repeat("€", 81), strings.Repeat("😀", 36)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		info := Analyze(s)
		if s == "" {
			if info.Segments != 0 || info.Units != 0 {
				t.Fatalf("Analyze(%q) = %+v, want no units or segments", s, info)
			}
			return
		}
		if info.Segments < 1 {
			t.Fatalf("Analyze(%q).Segments = %d, want ≥ 1", s, info.Segments)
		}
		nonGSM := NonGSM(s)
		if (info.Encoding == UCS2) != (len(nonGSM) > 0) {
			t.Fatalf("Analyze(%q).Encoding = %v but NonGSM = %q", s, info.Encoding, nonGSM)
		}
		if IsGSM7(s) != (info.Encoding == GSM7) {
			t.Fatalf("IsGSM7(%q) = %v but Analyze says %v", s, IsGSM7(s), info.Encoding)
		}
		single, multi := gsmSingle, gsmMulti
		if info.Encoding == UCS2 {
			single, multi = ucs2Single, ucs2Multi
		}
		// Each segment holds at most multi units and, since no character is wider than 2,
		// at least multi-1 before the next segment starts.
		switch {
		case info.Units <= single && info.Segments != 1:
			t.Fatalf("Analyze(%q) = %+v: fits one segment", s, info)
		case info.Units > single && (info.Units > info.Segments*multi || info.Units <= (info.Segments-1)*(multi-1)):
			t.Fatalf("Analyze(%q) = %+v: segment count does not fit the units", s, info)
		}
	})
}

func BenchmarkAnalyze(b *testing.B) {
	const text = "Hej! Du har kommit till Trygg i Västerås. Vi finns här för dig som har blivit utsatt " +
		"för ett brott eller som känner dig otrygg i ditt område. Berätta kort vad som har hänt, " +
		"så hjälper vi dig vidare till rätt stöd. Om du är i fara just nu, ring 112. Svara MENY för " +
		"att börja om, SUOMI för att byta språk."
	if n := utf8.RuneCountInString(text); n < 290 || n > 310 {
		b.Fatalf("benchmark text has %d characters, want about 300", n)
	}
	for b.Loop() {
		Analyze(text)
	}
}
