// Package understand reads a resident's free text the way people really text: any case,
// with or without å/ä/ö, with typos, emoji and several facts in one message. It finds the
// intents, the danger signals, the age and the language, using per-language word lists
// that are data (flows/lexicon), never Go code.
package understand

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize folds text to the form every lexicon entry is compared in: lower case, letters
// without diacritics (å→a, ö→o), any decimal digits as ASCII digits, digits and letters split
// apart ("16år" → "16 ar"), apostrophes dropped ("i'm" → "im") and every other symbol a
// single space. The result has no leading or trailing space.
//
// The European routes through Västerås, E18 and E20, stay whole words ("på E18" → "pa
// e18"): split, "e 18" reads as "är 18", an age.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	const (
		none = iota
		letter
		digit
	)
	last := none
	space := false
	emit := func(r rune, class int) {
		if b.Len() > 0 && (space || (last != none && last != class)) {
			b.WriteByte(' ')
		}
		space = false
		last = class
		b.WriteRune(r)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if (r == 'e' || r == 'E') && (last != letter || space) && road(s[i:]) {
			emit('e', letter)
			b.WriteString(s[i : i+2])
			i += 2
			continue
		}
		switch {
		case r >= 'a' && r <= 'z':
			emit(r, letter)
		case r >= 'A' && r <= 'Z':
			emit(r+('a'-'A'), letter)
		case r >= '0' && r <= '9':
			emit(r, digit)
		case r == '\'' || r == '\u2019' || r == '`' || r == '\u00b4':
			// "i'm" reads as "im", "don't" as "dont".
		case r < utf8.RuneSelf:
			space = true
		case unicode.IsDigit(r):
			if d := digitValue(r); d >= 0 {
				emit(rune('0'+d), digit)
			} else {
				space = true
			}
		case unicode.IsLetter(r):
			for _, f := range fold(r) {
				emit(f, letter)
			}
		case unicode.Is(unicode.Mn, r):
			// A combining mark after a letter: drop it, as fold does for precomposed letters.
		default:
			space = true
		}
	}
	return b.String()
}

// road reports whether rest, what follows an "e" that starts a word, makes it one of the
// European routes through Västerås: 18 or 20, and no more digits.
func road(rest string) bool {
	if len(rest) < 2 || rest[:2] != "18" && rest[:2] != "20" {
		return false
	}
	return len(rest) == 2 || rest[2] < '0' || rest[2] > '9'
}

// digitValue returns the value of a decimal digit in any script (Arabic-Indic ٠-٩,
// Persian ۰-۹, fullwidth ０-９ and every other Nd digit), or -1.
func digitValue(r rune) int {
	for _, rt := range unicode.Nd.R16 {
		if uint16(r) >= rt.Lo && uint16(r) <= rt.Hi && r <= 0xFFFF {
			// Decimal digit ranges in Unicode run 0..9 from a block start aligned to a zero.
			return int(uint16(r)-rt.Lo) % 10
		}
	}
	for _, rt := range unicode.Nd.R32 {
		if uint32(r) >= rt.Lo && uint32(r) <= rt.Hi {
			return int(uint32(r)-rt.Lo) % 10
		}
	}
	return -1
}

// fold lower-cases a non-ASCII letter and strips its diacritics: "Å" → "a", "ß" → "ss".
// What it returns folds to itself again, so normalising twice changes nothing.
func fold(r rune) []rune {
	r = unicode.ToLower(r)
	if f, ok := foldArabic(r); ok {
		return f
	}
	if f := foldSimple(r); f != nil {
		return f
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d := norm.NFD.Bytes(buf[:n])
	out := make([]rune, 0, 1)
	for len(d) > 0 {
		c, size := utf8.DecodeRune(d)
		d = d[size:]
		switch {
		case !unicode.IsLetter(c):
			// A combining mark (Mn, Mc) split off the letter: drop it.
		case foldSimple(c) != nil:
			// "ǿ" decomposes to "ø" and an accent: fold "ø" too.
			out = append(out, foldSimple(c)...)
		default:
			out = append(out, c)
		}
	}
	return out
}

// foldSimple folds the letters that need no decomposition (the lower-case Latin-1 letters
// and a few without one: ß, æ, ø, ł), or returns nil.
func foldSimple(r rune) []rune {
	if r >= 0xe0 && r <= 0xff {
		if f := latin1[r-0xe0]; f != 0 {
			return []rune{rune(f)}
		}
	}
	switch r {
	case 'ß':
		return []rune{'s', 's'}
	case 'æ':
		return []rune{'a', 'e'}
	case 'ø':
		return []rune{'o'}
	case 'ł':
		return []rune{'l'}
	}
	return nil
}

// Tokens splits normalised text into words.
func Tokens(normalized string) []string {
	return strings.Fields(normalized)
}

// latin1 folds the lower-case Latin-1 letters à..ÿ without a decomposition step: they are
// most of the non-ASCII letters residents type (å, ä, ö, é, ü).
var latin1 = [32]byte{
	'a', 'a', 'a', 'a', 'a', 'a', 0, 'c', 'e', 'e', 'e', 'e', 'i', 'i', 'i', 'i',
	0, 'n', 'o', 'o', 'o', 'o', 'o', 0, 0, 'u', 'u', 'u', 'u', 'y', 0, 'y',
}
