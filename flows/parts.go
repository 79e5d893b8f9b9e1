package flows

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/vasteras/trygg/internal/gsm7"
)

// Part is what one text costs as an SMS, as a resident receives it (with the footer when the
// text has no help number), rendered with the sample configuration.
type Part struct {
	ID, Lang string
	// Encoding is GSM-7 or UCS-2.
	Encoding gsm7.Encoding
	// Chars is the length in the encoding's units (septets or UTF-16 units).
	Chars int
	// Parts is the number of SMS segments.
	Parts int
}

// Parts lists what every text sent as an SMS costs, by id and language: every text but the
// web page's and the fragments.
func Parts(s *Set) []Part {
	cat, sf := s.Catalog, s.Def.Safety
	var out []Part
	for _, id := range cat.all {
		if strings.HasPrefix(id, WebPrefix) || strings.HasPrefix(id, PartPrefix) || strings.HasPrefix(id, "staff_") {
			continue
		}
		for _, lang := range cat.Langs() {
			if !cat.own[lang][id] {
				continue
			}
			text, _ := cat.Text(lang, id)
			if !HasHelpNumber(text, sf.HelpNumbers) && id != sf.Footer {
				if footer, ok := cat.Text(lang, sf.Footer); ok {
					text += FooterSeparator + footer
				}
			}
			info := gsm7.Analyze(text)
			out = append(out, Part{ID: id, Lang: lang, Encoding: info.Encoding, Chars: info.Units, Parts: info.Segments})
		}
	}
	return out
}

// WriteParts prints parts as a table: id, lang, encoding, characters, parts.
func WriteParts(w io.Writer, parts []Part) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tlang\tencoding\tchars\tparts")
	for _, p := range parts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\n", p.ID, p.Lang, p.Encoding, p.Chars, p.Parts)
	}
	return tw.Flush()
}
