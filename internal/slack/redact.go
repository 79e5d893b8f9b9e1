package slack

import "regexp"

// What a resident writes reaches staff in a case thread, and what staff type into
// /trygg fråga is shown back; in both, numbers that point at a person are hidden first.
// Help lines (112, 114 14, 116 006, 010-…, 021-…, 020-…) are not hidden: staff need to
// see which number a resident was given or asks about.

var (
	// phoneNumber matches what looks like a personal phone number: an international number
	// (+46…, 0046…), a Swedish one with its country code but no + (46701234567), or a Swedish
	// mobile number (07x…), with spaces, dashes or dots between the digits or none.
	phoneNumber = regexp.MustCompile(`(?:\+|\b00)\s?\d(?:[\s.-]{0,3}\d){6,}` +
		`|\b46(?:[\s.-]{0,3}\d){7,9}\b` +
		`|\b07\d(?:[\s.-]{0,3}\d){7}\b`)
	// personalNumber matches a Swedish personal identity number (personnummer) or
	// coordination number (samordningsnummer, day + 60): 19900101-1234, 900101-1234, with
	// + for someone over 100, or with no sign at all (199001011234, 9001011234).
	personalNumber = regexp.MustCompile(`\b(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])[-+]?\d{4}\b`)
)

// redact hides phone numbers and personal identity numbers in s, each with a short note
// for staff saying what was there.
func (b *Poster) redact(s string) string {
	s = phoneNumber.ReplaceAllString(s, b.text.get("staff_redacted", nil))
	return personalNumber.ReplaceAllString(s, b.text.get("staff_redacted_personal", nil))
}
