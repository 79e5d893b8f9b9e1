package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestRightToLeftChat: an Arabic message turns the page and its replies right to left, in
// Arabic, with the phone numbers still whole links to call; a Tigrinya one stays left to
// right; a reply in several languages (the other-language reply) reads its own direction.
func TestRightToLeftChat(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		message, lang, dir string
		want, never        string // a number the reply links to, and one it must not give
	}{
		{"عمري ١٦ سنة وسرقوني", "ar", "rtl", youthNumber, adultNumber},
		{"من 40 ساله هستم و خانه‌ام دزدی شد", "fa", "rtl", adultNumber, youthNumber},
		{"ዕድመይ 16 ዓመት እዩ፣ ዘሪፎምኒ", "ti", "ltr", youthNumber, adultNumber},
		{"waxaan ahay 40 jir, waa la i dhacay", "so", "ltr", adultNumber, youthNumber},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			session, token := h.visit()
			res := h.do(post("/chat", session, url.Values{"message": {tt.message}, "csrf": {token}, "lang": {"sv"}}, true))
			a := decode(t, res)
			if res.StatusCode != http.StatusOK || a.Lang != tt.lang || a.Dir != tt.dir || len(a.Replies) == 0 {
				t.Fatalf("status %d, lang %q, dir %q, %d replies; want %s %s", res.StatusCode, a.Lang, a.Dir, len(a.Replies), tt.lang, tt.dir)
			}
			r := a.Replies[0]
			if r.Lang != tt.lang || r.Dir != tt.dir {
				t.Errorf("reply lang %q dir %q, want %s %s", r.Lang, r.Dir, tt.lang, tt.dir)
			}
			linked := map[string]bool{}
			for _, p := range r.Parts {
				if p.Tel != "" {
					linked[p.Text] = true
				}
			}
			if !linked[tt.want] || !linked["112"] || strings.Contains(r.Text, tt.never) {
				t.Errorf("links %v in %q; want %s and 112, never %s", linked, r.Text, tt.want, tt.never)
			}
		})
	}
	session, token := h.visit()
	a := decode(t, h.do(post("/chat", session, url.Values{"message": {"Здравствуйте, меня ограбили"}, "csrf": {token}}, true)))
	if len(a.Replies) == 0 || a.Replies[0].Dir != "auto" || a.Replies[0].Lang != "" {
		t.Errorf("other-language reply: %+v, want dir auto and no lang", a.Replies)
	}
}
