// Package gsm7 knows how an SMS text is encoded and how many segments it costs.
//
// A text whose every character is in the GSM 03.38 default alphabet (basic set or
// extension table) is sent as GSM-7; one character outside it, such as an emoji, a curly
// quote or ç, turns the whole message into UCS-2, which fits less than half as much text in
// a segment. Replies are written with this in mind, and the segment count is what an SMS
// costs.
package gsm7

import (
	"strconv"
	"unicode/utf16"
)

// Encoding is how an SMS text is encoded on the air.
type Encoding int

const (
	// GSM7 is the GSM 03.38 7-bit default alphabet: 160 septets in one segment, 153 per
	// segment of a longer message.
	GSM7 Encoding = iota
	// UCS2 is UTF-16: 70 code units in one segment, 67 per segment of a longer message.
	UCS2
)

// Segment sizes, in septets for GSM-7 and UTF-16 code units for UCS-2. A longer message
// needs a user data header in each segment, which leaves less room for text.
const (
	gsmSingle  = 160
	gsmMulti   = 153
	ucs2Single = 70
	ucs2Multi  = 67
)

// String returns the encoding's usual name, "GSM-7" or "UCS-2".
func (e Encoding) String() string {
	switch e {
	case GSM7:
		return "GSM-7"
	case UCS2:
		return "UCS-2"
	default:
		return "Encoding(" + strconv.Itoa(int(e)) + ")"
	}
}

// Info is what a text costs as an SMS.
type Info struct {
	// Encoding is GSM7 when every character is in the GSM 03.38 alphabet, else UCS2.
	Encoding Encoding
	// Units is the length in the encoding: septets for GSM-7, where an extension character
	// such as € counts 2, or UTF-16 code units for UCS-2, where a character outside the
	// Basic Multilingual Plane such as an emoji counts 2.
	Units int
	// Segments is how many SMS the text is sent as; 0 for an empty text.
	Segments int
}

// septets returns how many septets r takes in GSM-7: 1 in the basic set, 2 in the extension
// table (escape + character), 0 when r cannot be encoded in GSM-7.
func septets(r rune) int {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return 1
	}
	switch r {
	case '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å',
		'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', 'Æ', 'æ', 'ß', 'É',
		' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
		':', ';', '<', '=', '>', '?', '¡', 'Ä', 'Ö', 'Ñ', 'Ü', '§', '¿',
		'ä', 'ö', 'ñ', 'ü', 'à':
		return 1
	case '\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€':
		return 2
	}
	return 0
}

// IsGSM7 reports whether s can be sent as GSM-7, that is, every character of s is in the
// GSM 03.38 basic set or extension table.
func IsGSM7(s string) bool {
	for _, r := range s {
		if septets(r) == 0 {
			return false
		}
	}
	return true
}

// NonGSM returns the distinct characters of s that are not in the GSM 03.38 alphabet, in
// the order they first appear, for messages that tell an author what to replace. It returns
// nil when s is GSM-7. Invalid UTF-8 shows as utf8.RuneError.
func NonGSM(s string) []rune {
	var out []rune
	for _, r := range s {
		if septets(r) != 0 || contains(out, r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// contains reports whether rs holds r; the lists are short, so a scan beats a map.
func contains(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// Analyze returns how s is encoded as an SMS, its length in that encoding and how many
// segments it is sent as. A character is never split between two segments: an extension
// character's escape stays with it, and so does a surrogate pair's second half, so a
// segment may hold one unit less than its size.
func Analyze(s string) Info {
	if s == "" {
		return Info{Encoding: GSM7}
	}
	if IsGSM7(s) {
		units := 0
		for _, r := range s {
			units += septets(r)
		}
		return Info{Encoding: GSM7, Units: units, Segments: segments(s, units, gsmSingle, gsmMulti, septets)}
	}
	units := 0
	for _, r := range s {
		units += ucs2Units(r)
	}
	return Info{Encoding: UCS2, Units: units, Segments: segments(s, units, ucs2Single, ucs2Multi, ucs2Units)}
}

// ucs2Units returns how many UTF-16 code units r takes. Invalid UTF-8 reaches here as
// utf8.RuneError, one unit, which is what a sender would substitute.
func ucs2Units(r rune) int {
	if n := utf16.RuneLen(r); n > 0 {
		return n
	}
	return 1
}

// segments returns how many segments a text of units units needs: one when it fits single,
// else as many segments of at most multi units as filling them in order takes, starting a
// new segment rather than splitting a character's units.
func segments(s string, units, single, multi int, cost func(rune) int) int {
	if units <= single {
		return 1
	}
	n, used := 1, 0
	for _, r := range s {
		c := cost(r)
		if used+c > multi {
			n++
			used = 0
		}
		used += c
	}
	return n
}
