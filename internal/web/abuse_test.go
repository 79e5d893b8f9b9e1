package web_test

// Tests of the web chat under abuse (issue 16): one client cannot flood the store or crowd
// others out (item 2), the lägesbild cannot be faked from the web chat (item 3), and a
// session id trygg never issued is never adopted (item 5).

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// from sets the request's socket address, as the server sees it.
func from(addr string, req *http.Request) *http.Request {
	req.RemoteAddr = addr
	return req
}

// sayFrom sends one message from addr as the page's script does (asJSON) or as a plain
// form post, and returns the status and the answer's text (the whole page without
// JavaScript).
func (h *harness) sayFrom(addr, session, token, text string, asJSON bool) (int, string) {
	h.t.Helper()
	res := h.do(from(addr, post("/chat", session, url.Values{"message": {text}, "csrf": {token}}, asJSON)))
	if asJSON {
		return res.StatusCode, decode(h.t, res).text()
	}
	return res.StatusCode, readBody(h.t, res)
}

// hasNumbers reports whether an answer gives 112 and Brottsofferjouren's numbers: both
// when the age is not known (the safety reply of a refused message), else one.
func hasNumbers(text string) bool {
	return strings.Contains(text, "112") && (strings.Contains(text, adultNumber) || strings.Contains(text, youthNumber))
}

// hasSafety reports whether an answer gives 112 and both of Brottsofferjouren's numbers,
// as the safety reply does.
func hasSafety(text string) bool {
	return strings.Contains(text, "112") && strings.Contains(text, adultNumber) && strings.Contains(text, youthNumber)
}

// TestWebClientFlood: 1,000 new sessions from one address, each sending a first message,
// store at most TRYGG_WEB_NEW_LIMIT conversations (before issue 16: all 1,000, each kept
// 24 h); every refused message still gets 112 and the numbers, with and without
// JavaScript; another address is not held back; and a conversation that never got past
// its first message is gone after 30 minutes, while one that did is kept.
func TestWebClientFlood(t *testing.T) {
	h := newHarness(t, map[string]string{"TRYGG_WEB_NEW_LIMIT": "20/10m"})
	const flooder, other = "198.51.100.7:40000", "203.0.113.9:50000"
	const sessions = 1000
	var ids []string
	refused := 0
	for i := range sessions {
		s, tok := h.visit()
		ids = append(ids, s)
		status, text := h.sayFrom(flooder, s, tok, "hej", i%2 == 0)
		if status == http.StatusTooManyRequests {
			refused++
			if !hasSafety(text) {
				t.Fatalf("refused message %d (JSON %v) without 112 and the numbers:\n%s", i, i%2 == 0, text)
			}
		}
		if !strings.Contains(text, "112") {
			t.Fatalf("message %d (JSON %v): status %d without 112:\n%s", i, i%2 == 0, status, text)
		}
	}
	stored := 0
	for _, s := range ids {
		if h.version(s) != 0 {
			stored++
		}
	}
	t.Logf("%d new sessions from one address: %d conversations stored, %d refused", sessions, stored, refused)
	if stored > 20 {
		t.Errorf("%d conversations stored for one address, want at most 20", stored)
	}
	s, tok := h.visit()
	if status, text := h.sayFrom(other, s, tok, robbed16, true); status != http.StatusOK || !strings.Contains(text, youthNumber) {
		t.Errorf("another address: %d %q", status, text)
	}

	// The flooder's conversations go within 30 minutes; a resident's second message keeps
	// theirs for the conversation TTL.
	kept, ktok := h.visit()
	h.sayFrom(other, kept, ktok, "hej", true)
	h.sayFrom(other, kept, ktok, robbed16, true)
	h.clock.Advance(31 * time.Minute)
	for _, s := range ids {
		if h.version(s) != 0 {
			t.Fatal("a conversation that never got past its first message outlived 30 minutes")
		}
	}
	if h.version(kept) == 0 {
		t.Error("a conversation with two messages was dropped after 31 minutes")
	}
}

// TestWebClientLimits: the per-client limit on messages, the global one, and the limits'
// answers: 429 with 112 and the numbers.
func TestWebClientLimits(t *testing.T) {
	t.Run("client", func(t *testing.T) {
		h := newHarness(t, map[string]string{"TRYGG_WEB_CLIENT_LIMIT": "5/10m"})
		const addr = "198.51.100.7:1"
		for i := range 7 {
			s, tok := h.visit()
			status, text := h.sayFrom(addr, s, tok, robbed16, false)
			want := http.StatusOK
			if i >= 5 {
				want = http.StatusTooManyRequests
			}
			if status != want || !hasNumbers(text) || (i >= 5 && !hasSafety(text)) {
				t.Fatalf("message %d: status %d, want %d; page:\n%s", i, status, want, text)
			}
			if i >= 5 && h.version(s) != 0 {
				t.Errorf("message %d past the limit stored a conversation", i)
			}
		}
		s, tok := h.visit()
		if status, _ := h.sayFrom("198.51.100.8:1", s, tok, robbed16, true); status != http.StatusOK {
			t.Errorf("another address: %d", status)
		}
		h.clock.Advance(11 * time.Minute)
		if status, _ := h.sayFrom(addr, s, tok, robbed16, true); status != http.StatusOK {
			t.Errorf("after the window: %d", status)
		}
	})
	t.Run("ipv6 by /64", func(t *testing.T) {
		h := newHarness(t, map[string]string{"TRYGG_WEB_CLIENT_LIMIT": "3/10m"})
		for i, addr := range []string{"[2001:db8:1:2::1]:1", "[2001:db8:1:2::2]:1", "[2001:db8:1:2:ffff::9]:1", "[2001:db8:1:2::abcd]:1"} {
			s, tok := h.visit()
			status, _ := h.sayFrom(addr, s, tok, robbed16, true)
			if (i < 3) != (status == http.StatusOK) {
				t.Errorf("%s: status %d", addr, status)
			}
		}
		s, tok := h.visit()
		if status, _ := h.sayFrom("[2001:db8:1:3::1]:1", s, tok, robbed16, true); status != http.StatusOK {
			t.Errorf("another /64: %d", status)
		}
	})
	t.Run("global", func(t *testing.T) {
		h := newHarness(t, map[string]string{"TRYGG_WEB_GLOBAL_LIMIT": "4/1m"})
		for i := range 6 {
			s, tok := h.visit()
			status, text := h.sayFrom("198.51.100."+string(rune('1'+i))+":1", s, tok, robbed16, true)
			if (i < 4) != (status == http.StatusOK) || !hasNumbers(text) || (i >= 4 && !hasSafety(text)) {
				t.Errorf("message %d: status %d, %q", i, status, text)
			}
		}
		if n := h.metric(`trygg_web_rate_limited_total{limit="global"}`); n != "2" {
			t.Errorf("global refusals counted %s, want 2", n)
		}
	})
}

// metric returns the value of a metric line from /metrics, or "".
func (h *harness) metric(series string) string {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.app.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

// TestWebForwardedClient: X-Forwarded-For is believed only from a proxy in
// TRYGG_TRUSTED_PROXIES, and then its rightmost address that is not a trusted proxy is the
// client, so a client cannot make itself many by writing the header itself.
func TestWebForwardedClient(t *testing.T) {
	h := newHarness(t, map[string]string{"TRYGG_WEB_CLIENT_LIMIT": "2/10m", "TRYGG_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"})
	say := func(peer, xff string) int {
		s, tok := h.visit()
		req := from(peer, post("/chat", s, url.Values{"message": {robbed16}, "csrf": {tok}}, true))
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		res := h.do(req)
		if a := decode(t, res); !hasNumbers(a.text()) {
			t.Fatalf("no numbers: %q", a.text())
		}
		return res.StatusCode
	}
	// Not through a proxy: the header is the client's own, and ignored.
	for i, spoof := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3"} {
		if got := say("198.51.100.7:1", spoof); (i < 2) != (got == http.StatusOK) {
			t.Errorf("untrusted peer, X-Forwarded-For %s: %d", spoof, got)
		}
	}
	// Through the proxies: the client is the rightmost untrusted hop, whatever it wrote
	// further left.
	for i, xff := range []string{"1.1.1.1, 203.0.113.5", "2.2.2.2, 203.0.113.5, 10.1.2.3", "203.0.113.5"} {
		if got := say("10.0.0.2:1", xff); (i < 2) != (got == http.StatusOK) {
			t.Errorf("through proxies, X-Forwarded-For %s: %d", xff, got)
		}
	}
	if got := say("127.0.0.1:1", "203.0.113.6"); got != http.StatusOK {
		t.Errorf("another client through the proxy: %d", got)
	}
}

// TestWebSessionNotIssued: a well-formed session id trygg never issued is not adopted: the
// request gets a new session (and the safety reply), and nothing is stored under the
// made-up id.
func TestWebSessionNotIssued(t *testing.T) {
	h := newHarness(t, nil)
	_, token := h.visit()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for _, made := range []string{base64.RawURLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(append(b, b...))} {
		res := h.do(post("/chat", made, url.Values{"message": {robbed16}, "csrf": {token}}, true))
		a := decode(t, res)
		if res.StatusCode != http.StatusForbidden || !hasSafety(a.text()) {
			t.Errorf("made-up id %s: status %d, %q", made, res.StatusCode, a.text())
		}
		if h.version(made) != 0 {
			t.Errorf("a conversation was stored under the made-up id %s", made)
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: cookieFor(false), Value: made})
		if ck := cookie(h.do(req), cookieFor(false)); ck == nil || ck.Value == made {
			t.Errorf("GET / kept the made-up id %s", made)
		}
	}
	// An id trygg issued under another TRYGG_SECRET is not adopted either.
	other := newHarness(t, map[string]string{"TRYGG_SECRET": "another-secret-0123456789abcdef"})
	theirs, _ := other.visit()
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: cookieFor(false), Value: theirs})
	if ck := cookie(h.do(req), cookieFor(false)); ck == nil || ck.Value == theirs {
		t.Error("an id issued under another secret was kept")
	}
}

// TestWebSessionHostCookie: over https the session cookie carries the __Host- prefix
// (Secure, Path=/, no Domain), and a cookie without the prefix is not read there, so a
// session planted over plain http or from another host is never used.
func TestWebSessionHostCookie(t *testing.T) {
	h := newHarness(t, map[string]string{"TRYGG_PUBLIC_URL": "https://trygg.example.se"})
	tlsReq := func(method, target string) *http.Request {
		r := httptest.NewRequest(method, "https://trygg.example.se"+target, nil)
		r.TLS = &tls.ConnectionState{}
		return r
	}
	res := h.do(tlsReq("GET", "/"))
	ck := cookie(res, "__Host-trygg_chat")
	if ck == nil || !ck.Secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
		t.Fatalf("cookies %v: want a Secure __Host-trygg_chat with Path=/ and no Domain", res.Cookies())
	}
	m := tokenRE.FindStringSubmatch(readBody(t, res))
	if m == nil {
		t.Fatal("no token")
	}
	// The same id without the prefix is not read over https.
	req := tlsReq("GET", "/")
	req.AddCookie(&http.Cookie{Name: "trygg_chat", Value: ck.Value})
	if again := cookie(h.do(req), "__Host-trygg_chat"); again == nil || again.Value == ck.Value {
		t.Error("a session cookie without the __Host- prefix was read over https")
	}
	req = tlsReq("GET", "/")
	req.AddCookie(&http.Cookie{Name: "__Host-trygg_chat", Value: ck.Value})
	if again := cookie(h.do(req), "__Host-trygg_chat"); again != nil {
		t.Error("the __Host- session was not read")
	}
}

// report runs the web chat's unsafe-place questions once: Resecentrum, at night, drugs.
func (h *harness) report(addr, session, token string) {
	h.t.Helper()
	for _, msg := range []string{"det känns otryggt", "Resecentrum", "på natten", "1"} {
		h.sayFrom(addr, session, token, msg, true)
	}
}

// TestWebLagesbildFaked: the lägesbild counts one report per conversation, place and kind a
// day, and at most TRYGG_LAGESBILD_CLIENT_CAP a day from one client, so 200 sessions from
// one address (which made Resecentrum a 206-report hotspot before issue 16) make no
// hotspot; another address still counts, and the refused reports are counted in the
// metrics.
func TestWebLagesbildFaked(t *testing.T) {
	h := newHarness(t, map[string]string{
		"TRYGG_WEB_NEW_LIMIT": "1000/10m", "TRYGG_WEB_CLIENT_LIMIT": "10000/10m", "TRYGG_WEB_GLOBAL_LIMIT": "10000/1m",
		"TRYGG_LAGESBILD_CLIENT_CAP": "3",
	})
	ctx := context.Background()
	week := func() int {
		t.Helper()
		evs, err := h.app.Lagesbild.Week(ctx, "2026-W48")
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	one, tok := h.visit()
	for range 5 {
		h.report("198.51.100.6:1", one, tok)
	}
	if n := week(); n != 1 {
		t.Fatalf("one session's five identical reports counted %d times, want 1", n)
	}
	for range 200 {
		s, tok := h.visit()
		h.report("198.51.100.7:1", s, tok)
	}
	if n := week(); n != 1+3 {
		t.Errorf("200 sessions from one address: %d reports in all, want 1 + the cap, 3", n)
	}
	s, tok := h.visit()
	h.report("203.0.113.9:1", s, tok)
	if n := week(); n != 5 {
		t.Errorf("another address's report: %d reports, want 5", n)
	}
	for series, want := range map[string]string{
		`trygg_lagesbild_reports_total{channel="web",result="recorded"}`:  "5",
		`trygg_lagesbild_reports_total{channel="web",result="duplicate"}`: "2",
		`trygg_lagesbild_reports_total{channel="web",result="capped"}`:    "199",
	} {
		if got := h.metric(series); got != want {
			t.Errorf("%s = %q, want %s", series, got, want)
		}
	}
}
