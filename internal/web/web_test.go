package web_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vasteras/trygg/internal/app"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/web"
)

const (
	youthNumber = "010-567 63 25"
	adultNumber = "021-41 32 60"
	robbed16    = "Jag är 16 och blev rånad"
	neutralURL  = "https://neutral.example/weather"
)

// clock is an injected clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is a real trygg (internal/app, memory store) behind its HTTP handler.
type harness struct {
	t     *testing.T
	app   *app.App
	h     http.Handler
	clock *clock
	logs  *bytes.Buffer
}

func newHarness(t *testing.T, env map[string]string) *harness {
	t.Helper()
	vars := map[string]string{"TRYGG_QUICK_EXIT_URL": neutralURL, "TRYGG_SECRET": "test-secret-0123456789abcdef"}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(context.Background(), cfg, log, app.Options{Now: clk.Now, Store: store.NewMemory(clk.Now)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &harness{t: t, app: a, h: a.Server.Handler(), clock: clk, logs: logs}
}

// lockedWriter lets the handlers log from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (h *harness) do(req *http.Request) *http.Response {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	return rec.Result()
}

var tokenRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// visit opens the page as a new visitor and returns the session cookie's value and the
// page's token.
func (h *harness) visit() (session, token string) {
	h.t.Helper()
	res := h.do(httptest.NewRequest("GET", "/", nil))
	body := readBody(h.t, res)
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("GET / = %d", res.StatusCode)
	}
	ck := cookie(res, web.PlainCookieName)
	if ck == nil {
		h.t.Fatal("GET / set no session cookie")
	}
	m := tokenRE.FindStringSubmatch(body)
	if m == nil {
		h.t.Fatal("page has no csrf field")
	}
	return ck.Value, m[1]
}

// post builds a same-origin POST as a browser sends it.
func post(path, session string, form url.Values, asJSON bool) *http.Request {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", "http://example.com")
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: web.PlainCookieName, Value: session})
	}
	return req
}

// say sends one message as the page's script does and returns the decoded answer.
func (h *harness) say(session, token, text string) (int, answer) {
	h.t.Helper()
	res := h.do(post("/chat", session, url.Values{"message": {text}, "csrf": {token}}, true))
	return res.StatusCode, decode(h.t, res)
}

// version is the stored version of a session's conversation; 0 means nothing is stored.
func (h *harness) version(session string) int64 {
	h.t.Helper()
	c, err := h.app.Store.Load(context.Background(), h.app.Hasher.Of(web.Channel, session))
	if err != nil {
		h.t.Fatal(err)
	}
	return c.Version
}

type answer struct {
	Lang    string `json:"lang"`
	Dir     string `json:"dir"`
	Replies []struct {
		Text  string `json:"text"`
		Lang  string `json:"lang"`
		Dir   string `json:"dir"`
		Parts []struct {
			Text string `json:"text"`
			Tel  string `json:"tel"`
		} `json:"parts"`
	} `json:"replies"`
	Notice string            `json:"notice"`
	UI     map[string]string `json:"ui"`
	CSRF   string            `json:"csrf"`
}

func (a answer) text() string {
	var parts []string
	for _, r := range a.Replies {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n\n")
}

func decode(t *testing.T, res *http.Response) answer {
	t.Helper()
	body := readBody(t, res)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want JSON; body: %s", ct, body)
	}
	var a answer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return a
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cookie(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestPageLanguages: GET / is Swedish; ?lang= picks English or Finnish; an unknown
// language falls back to Swedish. The quick exit and the privacy line are on every page.
func TestPageLanguages(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		path, lang, exit, privacy string
	}{
		{"/", "sv", "Lämna sidan snabbt", "Chatten slutar när du stänger fliken"},
		{"/?lang=en", "en", "Leave this page quickly", "The chat ends when you close the tab"},
		{"/?lang=fi", "fi", "Poistu sivulta nopeasti", "Keskustelu päättyy, kun suljet välilehden"},
		{"/?lang=de", "sv", "Lämna sidan snabbt", "Chatten slutar när du stänger fliken"},
		{"/?lang=ar", "ar", "غادر الصفحة بسرعة", "تنتهي المحادثة عند إغلاق الصفحة"},
		{"/?lang=fa", "fa", "فوراً از این صفحه خارج شوید", "با بستن صفحه گفتگو تمام می‌شود"},
		{"/?lang=so", "so", "Si degdeg ah uga bax boggan", "Wadahadalku wuu dhammaanayaa"},
		{"/?lang=ti", "ti", "ካብዚ ገጽ ቀልጢፍኩም ውጹ", "ገጽ ምስ ዓጸኹም ዝርርብ ይውዳእ"},
	}
	dirs := map[string]string{"ar": "rtl", "fa": "rtl"}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := h.do(httptest.NewRequest("GET", tt.path, nil))
			body := readBody(t, res)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status = %d", res.StatusCode)
			}
			dir := cmp.Or(dirs[tt.lang], "ltr")
			for _, want := range []string{
				`<html lang="` + tt.lang + `" dir="` + dir + `">`,
				`>` + tt.exit + `</a>`,
				`href="/chat/exit" rel="noreferrer" data-url="` + neutralURL + `"`,
				tt.privacy,
				`<label for="message"`,
				`aria-live="polite"`,
				`href="tel:112"`,
				`value="` + tt.lang + `" lang="` + tt.lang + `" dir="` + dir + `" aria-current="true"`,
				`value="ar" lang="ar" dir="rtl"`, // every language's button, in its own direction
				`value="ti" lang="ti" dir="ltr"`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
}

// TestPageSelfContained: the page loads nothing from elsewhere and runs no inline script
// or style (the CSP would block them anyway), and the script stores nothing in the browser.
func TestPageSelfContained(t *testing.T) {
	h := newHarness(t, nil)
	body := readBody(t, h.do(httptest.NewRequest("GET", "/", nil)))
	body = strings.Replace(body, `data-url="`+neutralURL+`"`, "", 1)
	for _, bad := range []string{"http://", "https://", "//", "<script>", " style=", " onclick=", " onload=", "<style"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	if !strings.Contains(body, `<script src="/static/chat.js" defer></script>`) {
		t.Error("page does not load its script from /static/")
	}
	tests := []struct{ path, ctype string }{
		{"/static/chat.js", "text/javascript"},
		{"/static/chat.css", "text/css"},
		{"/static/icon.svg", "image/svg+xml"},
	}
	for _, tt := range tests {
		res := h.do(httptest.NewRequest("GET", tt.path, nil))
		text := readBody(t, res)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), tt.ctype) {
			t.Errorf("GET %s = %d %q", tt.path, res.StatusCode, res.Header.Get("Content-Type"))
		}
		bad := []string{"localStorage", "sessionStorage", "indexedDB", "document.cookie", "https://", "@import", "url("}
		if !strings.HasSuffix(tt.path, ".svg") { // an SVG names its XML namespace with http://
			bad = append(bad, "http://")
		}
		for _, bad := range bad {
			if strings.Contains(text, bad) {
				t.Errorf("%s contains %q", tt.path, bad)
			}
		}
	}
	if res := h.do(httptest.NewRequest("GET", "/static/", nil)); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /static/ = %d, want 404 (no listing)", res.StatusCode)
	}
}

// TestHeaders: every web chat response forbids caching, referrers, framing and sniffing,
// and carries a strict content security policy.
func TestHeaders(t *testing.T) {
	h := newHarness(t, nil)
	session, token := h.visit()
	reqs := map[string]*http.Request{
		"GET /":            httptest.NewRequest("GET", "/", nil),
		"GET /static/":     httptest.NewRequest("GET", "/static/chat.css", nil),
		"POST /chat json":  post("/chat", session, url.Values{"message": {"hej"}, "csrf": {token}}, true),
		"POST /chat form":  post("/chat", session, url.Values{"message": {"hej"}, "csrf": {token}}, false),
		"POST /chat 403":   post("/chat", session, url.Values{"message": {"hej"}}, true),
		"POST /chat/lang":  post("/chat/lang", session, url.Values{"lang": {"en"}, "csrf": {token}}, true),
		"GET /chat/exit":   httptest.NewRequest("GET", "/chat/exit", nil),
		"POST /chat/exit":  post("/chat/exit", session, url.Values{"csrf": {token}}, false),
		"POST /chat 413":   post("/chat", session, url.Values{"message": {strings.Repeat("x", web.MaxBody)}}, true),
		"GET /static/none": httptest.NewRequest("GET", "/static/none.js", nil),
	}
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			res := h.do(req)
			hd := res.Header
			if got := hd.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q", got)
			}
			if got := hd.Get("Referrer-Policy"); got != "no-referrer" {
				t.Errorf("Referrer-Policy = %q", got)
			}
			if got := hd.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			csp := hd.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe") || strings.Contains(csp, "*") {
				t.Errorf("CSP %q is not strict", csp)
			}
		})
	}
}

// TestSessionCookie: the session cookie is HttpOnly, SameSite=Strict, Path=/, ends with
// the browser, holds 128 random bits and a 128-bit MAC, and is a Secure __Host- cookie over
// https or with an https public URL (a plain trygg_chat cookie only over plain http).
func TestSessionCookie(t *testing.T) {
	plain := newHarness(t, nil)
	behindProxy := newHarness(t, map[string]string{"TRYGG_PUBLIC_URL": "https://trygg.example.se"})
	overTLS := httptest.NewRequest("GET", "https://trygg.example.se/", nil)
	overTLS.TLS = &tls.ConnectionState{}
	tests := []struct {
		name   string
		h      *harness
		req    *http.Request
		secure bool
		cookie string
	}{
		{"http", plain, httptest.NewRequest("GET", "/", nil), false, web.PlainCookieName},
		{"tls", plain, overTLS, true, web.CookieName},
		{"https public url", behindProxy, httptest.NewRequest("GET", "/", nil), true, web.CookieName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.h.do(tt.req)
			if len(res.Cookies()) != 1 {
				t.Fatalf("cookies %v, want one", res.Cookies())
			}
			ck := cookie(res, tt.cookie)
			if ck == nil {
				t.Fatalf("no session cookie %s", tt.cookie)
			}
			if ck.Domain != "" {
				t.Errorf("cookie %q has a Domain", ck.Raw)
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
				t.Errorf("cookie %q: HttpOnly=%v SameSite=%v Path=%q", ck.Raw, ck.HttpOnly, ck.SameSite, ck.Path)
			}
			if ck.MaxAge != 0 || !ck.Expires.IsZero() {
				t.Errorf("cookie %q outlives the browser", ck.Raw)
			}
			if ck.Secure != tt.secure {
				t.Errorf("Secure = %v, want %v", ck.Secure, tt.secure)
			}
			if b, err := base64.RawURLEncoding.DecodeString(ck.Value); err != nil || len(b) != 32 {
				t.Errorf("session id %q is not 256 bits of base64url", ck.Value)
			}
		})
	}

	a, _ := plain.visit()
	b, _ := plain.visit()
	if a == b {
		t.Error("two visitors got the same session id")
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: web.PlainCookieName, Value: a})
	if ck := cookie(plain.do(req), web.PlainCookieName); ck != nil {
		t.Error("a visitor with a session got a new cookie")
	}
	req = httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: web.PlainCookieName, Value: "made-up"})
	if ck := cookie(plain.do(req), web.PlainCookieName); ck == nil || ck.Value == "made-up" {
		t.Error("a made-up session id was kept")
	}
}

// TestChatAnswers: a message posted by the page's script is answered in JSON by the same
// engine as SMS: a 16-year-old gets the youth number and never the adult one.
func TestChatAnswers(t *testing.T) {
	h := newHarness(t, nil)
	session, token := h.visit()
	status, a := h.say(session, token, robbed16)
	if status != http.StatusOK {
		t.Fatalf("status = %d", status)
	}
	if !strings.Contains(a.text(), youthNumber) || strings.Contains(a.text(), adultNumber) {
		t.Errorf("replies = %q; want %s and not %s", a.text(), youthNumber, adultNumber)
	}
	if a.Lang != "sv" || a.Replies[0].Lang != "sv" || a.UI["web_exit"] != "Lämna sidan snabbt" {
		t.Errorf("lang = %q, reply lang %q, exit label %q", a.Lang, a.Replies[0].Lang, a.UI["web_exit"])
	}
	if a.CSRF != "" {
		t.Error("token sent again for a session that has one")
	}
	if h.version(session) == 0 {
		t.Error("conversation not stored")
	}
	if strings.Contains(h.logs.String(), "rånad") {
		t.Errorf("the log holds message text:\n%s", h.logs)
	}
}

// TestChatWithoutJavaScript: a plain form post answers with a whole page that shows the
// resident's message (escaped) and trygg's replies.
func TestChatWithoutJavaScript(t *testing.T) {
	h := newHarness(t, nil)
	session, token := h.visit()
	res := h.do(post("/chat", session, url.Values{"message": {robbed16 + " <script>x</script>"}, "csrf": {token}}, false))
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<li class="msg you" id="latest" dir="auto"><span class="who">Du</span><p>Jag är 16 och blev rånad &lt;script&gt;x&lt;/script&gt;</p></li>`,
		youthNumber,
		`name="csrf" value="` + token + `"`,
		"Lämna sidan snabbt",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, adultNumber) || strings.Contains(body, "<script>x") {
		t.Errorf("page has the adult number or unescaped input:\n%s", body)
	}
}

// TestChatRefused: requests from another site, without the session's token, without a
// session or too big are refused with the right status, still show the safety reply and
// change nothing.
func TestChatRefused(t *testing.T) {
	h := newHarness(t, nil)
	session, token := h.visit()
	other, otherToken := h.visit()
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	tests := []struct {
		name      string
		req       func() *http.Request
		status    int
		newCookie bool
	}{
		{"cross-site fetch", func() *http.Request {
			r := post("/chat", session, form("message", robbed16, "csrf", token), true)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}, http.StatusForbidden, false},
		{"cross-origin, old browser", func() *http.Request {
			r := post("/chat", session, form("message", robbed16, "csrf", token), true)
			r.Header.Del("Sec-Fetch-Site")
			r.Header.Set("Origin", "https://evil.example")
			return r
		}, http.StatusForbidden, false},
		{"cross-site language switch", func() *http.Request {
			r := post("/chat/lang", session, form("lang", "en", "csrf", token), true)
			r.Header.Set("Sec-Fetch-Site", "same-site")
			return r
		}, http.StatusForbidden, false},
		{"no token", func() *http.Request { return post("/chat", session, form("message", robbed16), true) }, http.StatusForbidden, false},
		{"wrong token", func() *http.Request {
			return post("/chat", session, form("message", robbed16, "csrf", "AAAA"+token[4:]), true)
		}, http.StatusForbidden, false},
		{"another session's token", func() *http.Request {
			return post("/chat", session, form("message", robbed16, "csrf", otherToken), true)
		}, http.StatusForbidden, false},
		{"token header of another session", func() *http.Request {
			r := post("/chat", session, form("message", robbed16), true)
			r.Header.Set("X-CSRF-Token", otherToken)
			return r
		}, http.StatusForbidden, false},
		{"no session", func() *http.Request { return post("/chat", "", form("message", robbed16, "csrf", token), true) }, http.StatusForbidden, true},
		{"made-up session", func() *http.Request {
			return post("/chat", "not-a-session", form("message", robbed16, "csrf", token), true)
		}, http.StatusForbidden, true},
		{"oversize", func() *http.Request {
			return post("/chat", session, form("message", strings.Repeat("å", web.MaxBody), "csrf", token), true)
		}, http.StatusRequestEntityTooLarge, false},
		{"broken form", func() *http.Request {
			r := post("/chat", session, nil, true)
			r.Body = io.NopCloser(strings.NewReader("message=%zz&csrf=" + token))
			return r
		}, http.StatusBadRequest, false},
		{"unknown language", func() *http.Request { return post("/chat/lang", session, form("lang", "xx", "csrf", token), true) }, http.StatusBadRequest, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := h.do(tt.req())
			if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.status)
			}
			a := decode(t, res)
			if !strings.Contains(a.text(), "112") || !strings.Contains(a.text(), youthNumber) || a.Notice == "" {
				t.Errorf("refusal without the safety reply and a notice: %+v", a)
			}
			ck := cookie(res, web.PlainCookieName)
			if (ck != nil) != tt.newCookie {
				t.Errorf("new cookie = %v, want %v", ck != nil, tt.newCookie)
			}
			if tt.newCookie && a.CSRF == "" {
				t.Errorf("a new session came without its token: %+v", a)
			}
			if v := h.version(session); v != 0 {
				t.Errorf("conversation changed: version %d", v)
			}
		})
	}
	if v := h.version(other); v != 0 {
		t.Errorf("the other session's conversation changed: version %d", v)
	}

	// The page a refused form post shows lets the resident send again.
	res := h.do(post("/chat", "", form("message", robbed16), false))
	body := readBody(t, res)
	ck := cookie(res, web.PlainCookieName)
	if res.StatusCode != http.StatusForbidden || ck == nil {
		t.Fatalf("status %d, cookie %v", res.StatusCode, ck)
	}
	m := tokenRE.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "Ditt meddelande kom inte fram") || !strings.Contains(body, "Ring 112") {
		t.Fatalf("refusal page lacks notice, safety reply or token:\n%s", body)
	}
	if status, a := h.say(ck.Value, m[1], robbed16); status != http.StatusOK || !strings.Contains(a.text(), youthNumber) {
		t.Errorf("sending again: %d %q", status, a.text())
	}
}

// TestWrongMethod: wrong methods get 405.
func TestWrongMethod(t *testing.T) {
	h := newHarness(t, nil)
	for _, tt := range []struct{ method, path string }{
		{"GET", "/chat"},
		{"GET", "/chat/lang"},
		{"PUT", "/"},
		{"POST", "/"},
		{"DELETE", "/chat/exit"},
		{"POST", "/static/chat.js"},
	} {
		res := h.do(httptest.NewRequest(tt.method, tt.path, nil))
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s = %d, want 405", tt.method, tt.path, res.StatusCode)
		}
	}
	if res := h.do(httptest.NewRequest("GET", "/nothing-here", nil)); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nothing-here = %d, want 404", res.StatusCode)
	}
}

// TestRateLimit: past DefaultRateLimit messages in DefaultRateWindow a session gets the
// safety reply without a turn; when the window has passed, turns run again.
func TestRateLimit(t *testing.T) {
	h := newHarness(t, nil)
	session, token := h.visit()
	for i := 0; i < web.DefaultRateLimit; i++ {
		if status, _ := h.say(session, token, "hej"); status != http.StatusOK {
			t.Fatalf("message %d: status %d", i+1, status)
		}
	}
	before := h.version(session)
	status, a := h.say(session, token, robbed16)
	if status != http.StatusTooManyRequests {
		t.Fatalf("message %d: status %d, want 429", web.DefaultRateLimit+1, status)
	}
	if !strings.Contains(a.text(), "112") || !strings.Contains(a.text(), youthNumber) || !strings.Contains(a.text(), adultNumber) {
		t.Errorf("rate-limited answer is not the safety reply: %q", a.text())
	}
	if !strings.Contains(a.Notice, "många meddelanden") {
		t.Errorf("notice = %q", a.Notice)
	}
	if h.version(session) != before {
		t.Error("a rate-limited message ran a turn")
	}
	h.clock.Advance(web.DefaultRateWindow + time.Second)
	if status, a := h.say(session, token, robbed16); status != http.StatusOK || strings.Contains(a.text(), adultNumber) {
		t.Errorf("after the window: %d %q", status, a.text())
	}
}

// TestMessageCut: a message longer than MaxMessage characters is cut, invalid UTF-8 is
// replaced, and the resident still gets an answer.
func TestMessageCut(t *testing.T) {
	h := newHarness(t, nil)
	session, token := h.visit()
	long := strings.Repeat("ö", web.MaxMessage) + "TAIL"
	res := h.do(post("/chat", session, url.Values{"message": {long}, "csrf": {token}}, false))
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if strings.Contains(body, "TAIL") || !strings.Contains(body, "<p>"+strings.Repeat("ö", web.MaxMessage)+"</p>") {
		t.Error("message not cut at MaxMessage characters")
	}
	res = h.do(post("/chat", session, url.Values{"message": {"hej \xff\xfe"}, "csrf": {token}}, false))
	body = readBody(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "hej \uFFFD") || !strings.Contains(body, "112") {
		t.Errorf("invalid UTF-8: status %d", res.StatusCode)
	}
}

// TestLanguage: the language buttons switch the conversation and the page; the page
// follows the language the engine reads in the resident's words.
func TestLanguage(t *testing.T) {
	h := newHarness(t, nil)
	session, token := h.visit()
	res := h.do(post("/chat/lang", session, url.Values{"lang": {"fi"}, "csrf": {token}}, true))
	a := decode(t, res)
	if res.StatusCode != http.StatusOK || a.Lang != "fi" || a.UI["web_exit"] != "Poistu sivulta nopeasti" || !strings.Contains(a.text(), "kirjoitan suomeksi") {
		t.Errorf("switch to fi: %d %+v", res.StatusCode, a)
	}
	res = h.do(post("/chat/lang", session, url.Values{"lang": {"en"}, "csrf": {token}}, false))
	body := readBody(t, res)
	if !strings.Contains(body, `<html lang="en" dir="ltr">`) || !strings.Contains(body, "I will write in English") || !strings.Contains(body, "Leave this page quickly") {
		t.Errorf("switch to en without JavaScript:\n%s", body)
	}

	// An English page, a Swedish message: the conversation and the page go Swedish.
	session, token = h.visit()
	res = h.do(post("/chat", session, url.Values{"message": {robbed16}, "csrf": {token}, "lang": {"en"}}, true))
	if a := decode(t, res); a.Lang != "sv" || a.UI["web_send"] != "Skicka" {
		t.Errorf("Swedish message on an English page: lang %q, send %q", a.Lang, a.UI["web_send"])
	}
	// A Swedish page, an English message.
	session, token = h.visit()
	status, a := h.say(session, token, "I am 25 and I was robbed yesterday")
	if status != http.StatusOK || a.Lang != "en" || a.UI["web_exit"] != "Leave this page quickly" {
		t.Errorf("English message: %d lang %q", status, a.Lang)
	}
	if !strings.Contains(a.text(), adultNumber) || strings.Contains(a.text(), youthNumber) {
		t.Errorf("25-year-old got %q", a.text())
	}
}

// TestExit: the quick exit erases the conversation, by beacon (POST) or by link (GET),
// and only when it comes from trygg's own page.
func TestExit(t *testing.T) {
	h := newHarness(t, nil)
	started := func() (string, string) {
		t.Helper()
		s, tok := h.visit()
		if status, _ := h.say(s, tok, robbed16); status != http.StatusOK || h.version(s) == 0 {
			t.Fatal("conversation not started")
		}
		return s, tok
	}

	t.Run("beacon", func(t *testing.T) {
		s, tok := started()
		res := h.do(post("/chat/exit", s, url.Values{"csrf": {tok}}, false))
		if res.StatusCode != http.StatusNoContent || h.version(s) != 0 {
			t.Fatalf("status %d, version %d", res.StatusCode, h.version(s))
		}
		// The rate window went with it.
		n, err := h.app.Store.Hit(context.Background(), h.app.Hasher.Of(web.Channel, s), "web", time.Minute)
		if err != nil || n != 1 {
			t.Errorf("rate window after exit: %d, %v", n, err)
		}
	})
	t.Run("link", func(t *testing.T) {
		s, _ := started()
		req := httptest.NewRequest("GET", "/chat/exit", nil)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(&http.Cookie{Name: web.PlainCookieName, Value: s})
		res := h.do(req)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != neutralURL {
			t.Fatalf("status %d, Location %q", res.StatusCode, res.Header.Get("Location"))
		}
		if ck := cookie(res, web.PlainCookieName); ck == nil || ck.MaxAge >= 0 {
			t.Error("session cookie not dropped")
		}
		if h.version(s) != 0 {
			t.Error("conversation not erased")
		}
	})
	refused := []struct {
		name string
		req  func(s, tok string) *http.Request
	}{
		{"link from another site", func(s, _ string) *http.Request {
			r := httptest.NewRequest("GET", "/chat/exit", nil)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.AddCookie(&http.Cookie{Name: web.PlainCookieName, Value: s})
			return r
		}},
		{"beacon from another site", func(s, tok string) *http.Request {
			r := post("/chat/exit", s, url.Values{"csrf": {tok}}, false)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			return r
		}},
		{"beacon without token", func(s, _ string) *http.Request {
			return post("/chat/exit", s, url.Values{}, false)
		}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			s, tok := started()
			res := h.do(tt.req(s, tok))
			if res.StatusCode == http.StatusNoContent {
				t.Errorf("status %d", res.StatusCode)
			}
			if h.version(s) == 0 {
				t.Error("conversation erased")
			}
		})
	}
}

// TestPhoneLinks: the phone numbers in replies become links to call, in the page and in
// JSON; digits around a number keep it from matching.
func TestPhoneLinks(t *testing.T) {
	h := newHarness(t, nil)
	session, token := h.visit()
	res := h.do(post("/chat", session, url.Values{"message": {robbed16}, "csrf": {token}}, false))
	body := readBody(t, res)
	for _, want := range []string{
		`<a class="tel" href="tel:&#43;46105676325">010-567 63 25</a>`,
		`<a class="tel" href="tel:116111">116 111</a>`,
		`<a class="tel" href="tel:112">112</a>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	status, a := h.say(session, token, "I am 25 and was robbed")
	if status != http.StatusOK {
		t.Fatal(status)
	}
	var tels []string
	for _, r := range a.Replies {
		for _, p := range r.Parts {
			if p.Tel != "" {
				tels = append(tels, p.Text+"="+p.Tel)
			}
		}
	}
	if got := strings.Join(tels, " "); !strings.Contains(got, "021-41 32 60=tel:+4621413260") || !strings.Contains(got, "112=tel:112") {
		t.Errorf("tel parts = %s", got)
	}
}

// TestPageTitleNeutral: the page's <title> stays in the browser's history, so in no
// language does it name crime, victims or violence.
func TestPageTitleNeutral(t *testing.T) {
	h := newHarness(t, nil)
	title := regexp.MustCompile(`<title[^>]*>([^<]*)</title>`)
	telling := regexp.MustCompile(`(?i)brott|crime|rikos|offer|victim|uhri|våld|violence|väkivalta|polis|police|poliisi|hjälp|help|apu`)
	for _, path := range []string{"/", "/?lang=en", "/?lang=fi"} {
		body := readBody(t, h.do(httptest.NewRequest("GET", path, nil)))
		m := title.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s: no <title>", path)
		}
		if strings.TrimSpace(m[1]) == "" || telling.MatchString(m[1]) {
			t.Errorf("%s: <title> %q is empty or tells what the page is about", path, m[1])
		}
	}
}
