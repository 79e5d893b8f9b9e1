package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// CookieName is the session cookie's name on a secure request (over TLS, or behind a
// proxy with an https TRYGG_PUBLIC_URL): the __Host- prefix makes the browser refuse the
// cookie unless it is Secure, has Path=/ and no Domain, so no other host (a subdomain, or
// a network attacker over plain http) can plant a session in the resident's browser.
const CookieName = "__Host-trygg_chat"

// PlainCookieName is the session cookie's name on a plain-http request, which only a local
// run sees (`go run ./cmd/trygg` on http://localhost): a __Host- cookie must be Secure,
// and not every browser keeps a Secure cookie set over plain http. A secure request never
// reads it.
const PlainCookieName = "trygg_chat"

// Session ids: sessionRandom random bytes and the first sessionMAC bytes of their
// HMAC-SHA256 under a key derived from TRYGG_SECRET, base64url without padding. Only ids
// trygg issued carry a valid MAC, so a made-up or guessed id is never adopted.
const (
	sessionRandom = 16
	sessionMAC    = 16
	sessionBytes  = sessionRandom + sessionMAC
)

// newSessionID returns a fresh session id that validSession accepts.
func (c *Chat) newSessionID() string {
	b := make([]byte, sessionRandom, sessionBytes)
	// crypto/rand.Read never returns an error: it crashes the program if the system's
	// random source fails.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(append(b, c.sessionMAC(b)...))
}

// sessionMAC is the MAC part of a session id with random part b.
func (c *Chat) sessionMAC(b []byte) []byte {
	mac := hmac.New(sha256.New, c.sessionKey)
	mac.Write(b)
	return mac.Sum(nil)[:sessionMAC]
}

// validSession reports whether id is one trygg issued (under this TRYGG_SECRET), so a
// made-up cookie value never becomes a scope.
func (c *Chat) validSession(id string) bool {
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil || len(b) != sessionBytes || base64.RawURLEncoding.EncodeToString(b) != id {
		return false
	}
	return hmac.Equal(b[sessionRandom:], c.sessionMAC(b[:sessionRandom]))
}

// session returns the request's session id, if it carries one trygg issued, in the cookie
// this kind of request uses.
func (c *Chat) session(r *http.Request) (string, bool) {
	ck, err := r.Cookie(c.cookieName(r))
	if err != nil || !c.validSession(ck.Value) {
		return "", false
	}
	return ck.Value, true
}

// secureRequest reports whether the request reached trygg over https: over TLS, behind
// a proxy with an https public URL, or from a trusted proxy that says so
// (X-Forwarded-Proto).
func (c *Chat) secureRequest(r *http.Request) bool {
	if c.cfg.SecureCookies || r.TLS != nil {
		return true
	}
	return c.cfg.Proxies.Trusted(r) && strings.EqualFold(lastHop(r.Header.Values("X-Forwarded-Proto")), "https")
}

// cookieName is the name of the session cookie for r: CookieName on a secure request,
// PlainCookieName on plain http.
func (c *Chat) cookieName(r *http.Request) string {
	if c.secureRequest(r) {
		return CookieName
	}
	return PlainCookieName
}

// startSession sets a cookie with a fresh session id and returns the id. The cookie has
// no Max-Age: it ends when the browser closes.
func (c *Chat) startSession(w http.ResponseWriter, r *http.Request) string {
	id := c.newSessionID()
	c.setSession(w, r, id)
	return id
}

// setSession sets the session cookie to id.
func (c *Chat) setSession(w http.ResponseWriter, r *http.Request, id string) {
	http.SetCookie(w, &http.Cookie{
		Name:     c.cookieName(r),
		Value:    id,
		Path:     "/",
		HttpOnly: true,
		Secure:   c.secureRequest(r),
		SameSite: http.SameSiteStrictMode,
	})
}

// endSession tells the browser to drop the session cookie.
func (c *Chat) endSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     c.cookieName(r),
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
