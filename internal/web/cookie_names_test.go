package web_test

import "github.com/vasteras/trygg/internal/web"

// cookieFor is the session cookie's name on a secure or a plain-http request.
func cookieFor(secure bool) string {
	if secure {
		return web.CookieName
	}
	return web.PlainCookieName
}
