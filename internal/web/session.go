package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// CookieName is the session cookie's name.
const CookieName = "trygg_chat"

// sessionBytes is the session id's length: 128 random bits.
const sessionBytes = 16

// newSessionID returns a fresh random session id, base64url without padding.
func newSessionID() string {
	b := make([]byte, sessionBytes)
	// crypto/rand.Read never returns an error: it crashes the program if the system's
	// random source fails.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validSessionID reports whether id has the form newSessionID gives, so a made-up cookie
// value never becomes a scope.
func validSessionID(id string) bool {
	b, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil && len(b) == sessionBytes && base64.RawURLEncoding.EncodeToString(b) == id
}

// session returns the request's session id, if it carries a valid one.
func session(r *http.Request) (string, bool) {
	ck, err := r.Cookie(CookieName)
	if err != nil || !validSessionID(ck.Value) {
		return "", false
	}
	return ck.Value, true
}

// secureRequest reports whether the session cookie must be marked Secure.
func (c *Chat) secureRequest(r *http.Request) bool {
	return c.cfg.SecureCookies || r.TLS != nil
}

// startSession sets a cookie with a fresh session id and returns the id. The cookie has
// no Max-Age: it ends when the browser closes.
func (c *Chat) startSession(w http.ResponseWriter, r *http.Request) string {
	id := newSessionID()
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    id,
		Path:     "/",
		HttpOnly: true,
		Secure:   c.secureRequest(r),
		SameSite: http.SameSiteStrictMode,
	})
	return id
}

// endSession tells the browser to drop the session cookie.
func (c *Chat) endSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   c.secureRequest(r),
		SameSite: http.SameSiteStrictMode,
	})
}

// scope is the store scope of a session: its pseudonym, never the id itself.
func (c *Chat) scope(id string) string {
	return c.cfg.Hasher.Of(Channel, id)
}

// token is the per-session request token: HMAC-SHA256 of the session id under a key
// derived from TRYGG_SECRET. A page from another site cannot know it.
func (c *Chat) token(id string) string {
	mac := hmac.New(sha256.New, c.csrfKey)
	mac.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// tokenOK reports whether the request carries the token of session id, in the form field
// csrf or the X-CSRF-Token header.
func (c *Chat) tokenOK(r *http.Request, id string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	got = strings.TrimSpace(got)
	return got != "" && hmac.Equal([]byte(got), []byte(c.token(id)))
}
