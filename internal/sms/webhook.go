package sms

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/vasteras/trygg/internal/metrics"
)

// formContentType is the only content type Twilio's webhooks use.
const formContentType = "application/x-www-form-urlencoded"

// errRepeated is a form field given twice: Twilio never does that, and the signature check
// covers one value per field.
var errRepeated = errors.New("a form field is repeated")

// verify checks a webhook before anything else looks at it: the method, the content type,
// the size, the form and the signature over the URL Twilio called and every posted field.
// On failure it writes the error response, counts the reason and returns false; only the
// fact is logged, nothing from the request.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request, route string) (map[string]string, bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.reject(w, r, route, metrics.RejectMethod, http.StatusMethodNotAllowed)
		return nil, false
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != formContentType {
		h.reject(w, r, route, metrics.RejectContentType, http.StatusUnsupportedMediaType)
		return nil, false
	}
	if r.ContentLength > MaxBody {
		h.reject(w, r, route, metrics.RejectTooLarge, http.StatusRequestEntityTooLarge)
		return nil, false
	}
	body, err := readBody(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.reject(w, r, route, metrics.RejectTooLarge, http.StatusRequestEntityTooLarge)
		} else {
			h.reject(w, r, route, metrics.RejectBadForm, http.StatusBadRequest)
		}
		return nil, false
	}
	params, err := parseForm(body)
	if err != nil {
		h.reject(w, r, route, metrics.RejectBadForm, http.StatusBadRequest)
		return nil, false
	}
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" || !h.validator.Validate(h.signedURL(r), params, sig) {
		h.cfg.Metrics.SignatureFailures.WithLabelValues(route).Inc()
		h.cfg.Log.LogAttrs(r.Context(), slog.LevelWarn, "twilio webhook refused: signature missing or wrong", slog.String("route", route))
		writeText(w, http.StatusForbidden, "forbidden")
		return nil, false
	}
	return params, true
}

// reject answers a refused webhook with status and counts the reason.
func (h *Handler) reject(w http.ResponseWriter, r *http.Request, route, reason string, status int) {
	h.cfg.Metrics.WebhookRejected.WithLabelValues(route, reason).Inc()
	h.cfg.Log.LogAttrs(r.Context(), slog.LevelInfo, "twilio webhook refused",
		slog.String("route", route), slog.String("reason", reason), slog.Int("status", status))
	writeText(w, status, http.StatusText(status))
}

// parseForm reads an application/x-www-form-urlencoded body into one value per field, as
// url.ParseQuery would but without its slice per field: a field given twice is an error,
// and so are a semicolon and broken percent-encoding, as for ParseQuery.
func parseForm(body []byte) (map[string]string, error) {
	s := string(body)
	params := make(map[string]string, strings.Count(s, "&")+1)
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		if strings.Contains(pair, ";") {
			return nil, errors.New("semicolon in a form field")
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := unescape(k)
		if err != nil {
			return nil, err
		}
		value, err := unescape(v)
		if err != nil {
			return nil, err
		}
		if _, dup := params[key]; dup {
			return nil, errRepeated
		}
		params[key] = value
	}
	return params, nil
}

// unescape decodes one form-encoded name or value, returning s itself when there is
// nothing to decode.
func unescape(s string) (string, error) {
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// readBody reads a body of at most MaxBody bytes, in one allocation when the length is
// known.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, MaxBody)
	if n := r.ContentLength; n > 0 && n <= MaxBody {
		buf := make([]byte, n)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(body)
}

// signedURL is the URL Twilio called and signed: TRYGG_PUBLIC_URL followed by the path and
// query as received, byte for byte. Without TRYGG_PUBLIC_URL the base is derived from the
// request: the scheme from X-Forwarded-Proto (set by the proxy in front), else from
// whether the connection is TLS; the host from the Host header.
func (h *Handler) signedURL(r *http.Request) string {
	base := h.cfg.PublicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if p := forwardedProto(r.Header.Get("X-Forwarded-Proto")); p != "" {
			scheme = p
		}
		base = scheme + "://" + r.Host
	}
	return base + r.URL.RequestURI()
}

// forwardedProto returns the first scheme of an X-Forwarded-Proto header when it is http or
// https, else "".
func forwardedProto(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	switch v = strings.ToLower(strings.TrimSpace(v)); v {
	case "http", "https":
		return v
	}
	return ""
}

// writeText writes a short plain-text response.
func writeText(w http.ResponseWriter, status int, body string) {
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body+"\n")
}
