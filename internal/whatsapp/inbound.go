package whatsapp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/store"
)

// FromConfig builds the channel's webhook handler from trygg's configuration: the SMS
// webhook with the WhatsApp Variant, under the same TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
// TRYGG_SMS_COUNTRIES, TRYGG_PUBLIC_URL and limits (counted apart from SMS).
// cfg.WhatsAppEnabled() must hold, and the store must keep records (the window).
func FromConfig(cfg config.Config, d Deps) (*sms.Handler, error) {
	if err := validConfig(cfg); err != nil {
		return nil, err
	}
	rec, ok := d.Store.(store.Records)
	if !ok {
		return nil, errors.New("whatsapp: the store keeps no records (needed for the 24-hour window)")
	}
	w := windows{records: rec, now: d.Now, keep: keepFor(cfg.ConversationTTL)}
	c := sms.ConfigFrom(cfg, d)
	c.Variant = variant(w)
	return sms.New(c)
}

// variant returns the WhatsApp Variant of the Twilio webhook, keeping the window in w.
func variant(w windows) sms.Variant {
	return sms.Variant{
		Name: Channel, Path: Path,
		Sender: From, Read: Read, Split: Split,
		Held: w.held, Seen: w.seen,
	}
}

// From reads the sender of a WhatsApp webhook: From is "whatsapp:" and the number; the
// number is pseudonymised and checked like an SMS sender's, the whole From is the address
// trygg answers at. WaId, when Twilio sends it, is the same number without "+": a form
// where they differ is refused (the signature covers the fields' concatenation, not their
// boundaries). ProfileName is never read.
func From(params map[string]string) (number, address string, ok bool) {
	from := params["From"]
	number, ok = strings.CutPrefix(from, Prefix)
	if !ok || number == "" {
		return "", "", false
	}
	if wa, sent := params["WaId"]; sent && "+"+wa != number {
		return "", "", false
	}
	return number, from, true
}

// Read returns what the resident wrote: Body, or, when a tapped quick-reply button left
// it empty, ButtonText; and whether the message carried media (NumMedia above 0, or a
// MediaUrl0 or MediaContentType0 without it). The media's URLs and types are never read
// further: trygg never fetches a picture or a voice note.
func Read(params map[string]string) (text string, media bool) {
	text = params["Body"]
	if strings.TrimSpace(text) == "" {
		text = params["ButtonText"]
	}
	if n, err := strconv.Atoi(params["NumMedia"]); err == nil && n > 0 {
		media = true
	}
	if params["MediaUrl0"] != "" || params["MediaContentType0"] != "" {
		media = true
	}
	return text, media
}

// Split cuts text into messages of at most MaxMessage characters (UTF-16 code units, as
// Twilio counts): at the last paragraph break that fits, else the last line break, else
// the last space that is not inside a number ("010-567 63 25" stays whole), else hard.
func Split(text string) []string {
	var out []string
	for units(text) > MaxMessage {
		cut := cutAt(text)
		head := strings.TrimRight(text[:cut], " \n")
		if head == "" { // nothing to cut before: cut hard
			cut = hardCut(text)
			head = text[:cut]
		}
		out = append(out, head)
		text = strings.TrimLeft(text[cut:], " \n")
	}
	if text != "" || len(out) == 0 {
		out = append(out, text)
	}
	return out
}

// units counts s in UTF-16 code units.
func units(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// hardCut is the byte offset after the last whole rune within MaxMessage units.
func hardCut(s string) int {
	n := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if n+w > MaxMessage {
			return i
		}
		n += w
	}
	return len(s)
}

// cutAt is where the first message of s ends: see Split.
func cutAt(s string) int {
	limit := hardCut(s)
	head := s[:limit]
	if i := strings.LastIndex(head, "\n\n"); i > 0 {
		return i
	}
	if i := strings.LastIndex(head, "\n"); i > 0 {
		return i
	}
	for i := strings.LastIndex(head, " "); i > 0; i = strings.LastIndex(head[:i], " ") {
		if !(isDigit(s[i-1]) && i+1 < len(s) && isDigit(s[i+1])) {
			return i
		}
	}
	return limit
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// wrap wraps err with what, or returns nil.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("whatsapp: %s: %w", what, err)
}
