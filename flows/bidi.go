package flows

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/bidi"
)

// PhoneNumber finds the Swedish phone numbers trygg's texts give: 112, 90101, the short
// numbers 114 14, 116 006, 116 111 and area-code numbers such as 021-41 32 60 and
// 010-567 63 25. A match inside a longer run of digits is not a number of its own.
var PhoneNumber = regexp.MustCompile(`0\d{1,3}-\d{2,3}(?: \d{2}){1,3}|11[46] \d{2,3}|112|90101`)

// Unicode's directional isolates: what stands between LRI and PDI is laid out left to
// right on its own, whatever the text around it.
const (
	LRI = "\u2066" // left-to-right isolate
	PDI = "\u2069" // pop directional isolate
)

// IsolateNumbers wraps every phone number of text in LRI … PDI, so that a right-to-left
// text (Arabic, Persian) shows "021-41 32 60" whole and in order: without it the bidi
// algorithm lays the groups of digits out from right to left ("60 32 021-41"). Numbers
// already isolated are left as they are.
func IsolateNumbers(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range PhoneNumber.FindAllStringIndex(text, -1) {
		if (m[0] > 0 && isASCIIDigit(text[m[0]-1])) || (m[1] < len(text) && isASCIIDigit(text[m[1]])) {
			continue
		}
		if strings.HasSuffix(text[:m[0]], LRI) {
			continue
		}
		b.WriteString(text[last:m[0]])
		b.WriteString(LRI)
		b.WriteString(text[m[0]:m[1]])
		b.WriteString(PDI)
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// NumbersIsolated reports whether every phone number of text stands between LRI and PDI.
func NumbersIsolated(text string) bool {
	for _, m := range PhoneNumber.FindAllStringIndex(text, -1) {
		if (m[0] > 0 && isASCIIDigit(text[m[0]-1])) || (m[1] < len(text) && isASCIIDigit(text[m[1]])) {
			continue
		}
		if !strings.HasSuffix(text[:m[0]], LRI) || !strings.HasPrefix(text[m[1]:], PDI) {
			return false
		}
	}
	return true
}

func isASCIIDigit(b byte) bool { return b >= '0' && b <= '9' }

// RightToLeft reports whether the letters of text are mostly of a right-to-left script
// (Arabic, Hebrew …): trygg then shows it right to left and isolates its phone numbers.
func RightToLeft(text string) bool {
	rtl, ltr := 0, 0
	for _, r := range text {
		if !unicode.IsLetter(r) {
			continue
		}
		p, _ := bidi.LookupRune(r)
		switch p.Class() {
		case bidi.R, bidi.AL:
			rtl++
		case bidi.L:
			ltr++
		}
	}
	return rtl > ltr
}
