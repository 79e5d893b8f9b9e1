package sms

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"github.com/vasteras/trygg/internal/metrics"
)

// E.164 numbers have at most 15 digits, country code included. Twilio sends shorter
// strings for short codes and alphanumeric senders; trygg answers neither: a real phone
// number has at least 7 digits (the country code and a subscriber number).
const (
	minNumberDigits = 7
	maxNumberDigits = 15
)

// refusal returns why a signed message is not answered (a metrics.Refuse* reason), or ""
// when it is: AccountSid must be trygg's own account, and From an E.164 number of one of
// the countries served. The signature covers the concatenation of every field's name and
// value, not their boundaries, so a signed request can be re-cut into other fields under
// the same signature ("From=+46702000031FromCityVASTERAS" without FromCity); such a From
// is no E.164 number and is refused here, before it becomes a pseudonym.
//
// number is the sender's number as the channel's Variant read it (From itself for SMS).
func (h *Handler) refusal(params map[string]string, number string) string {
	if subtle.ConstantTimeCompare([]byte(params["AccountSid"]), []byte(h.cfg.AccountSID)) != 1 {
		return metrics.RefuseAccount
	}
	digits, ok := e164Digits(number)
	if !ok {
		return metrics.RefuseNumber
	}
	for _, cc := range h.cfg.Countries {
		// Calling codes are a prefix code (no code starts another), so a prefix match
		// is the country.
		if strings.HasPrefix(digits, cc) {
			return ""
		}
	}
	return metrics.RefuseCountry
}

// e164Digits returns the digits of an E.164 number "+" followed by 7 to 15 digits, the
// first not 0, and whether s is one.
func e164Digits(s string) (string, bool) {
	digits, ok := strings.CutPrefix(s, "+")
	if !ok || len(digits) < minNumberDigits || len(digits) > maxNumberDigits || digits[0] == '0' {
		return "", false
	}
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return digits, true
}

// refuse answers a signed message that trygg does not answer with empty TwiML, which
// sends nothing, and counts the reason. Nothing from the request is logged or stored.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, reason string) {
	h.count.refused.WithLabelValues(reason).Inc()
	h.cfg.Log.LogAttrs(r.Context(), slog.LevelInfo, "sms: message not answered", slog.String("channel", h.name), slog.String("reason", reason))
	writeTwiML(w, h.empty.body)
}
