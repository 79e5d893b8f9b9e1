package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserLanguages: in a real headless Chromium, each of the languages beyond Swedish,
// English and Finnish has a button that turns the page into it, right to left for Arabic
// and Persian; a 16-year-old's message in that language gets the number for young people
// in a bubble that carries the language and direction; the quick exit speaks it too.
// Screenshots: webchat-ar.png, webchat-fa.png, webchat-so.png, webchat-ti.png.
func TestBrowserLanguages(t *testing.T) {
	tests := []struct {
		lang, dir, message, exit string
	}{
		{"ar", "rtl", "عمري 16 سنة وسرقوني في الشارع", "غادر الصفحة بسرعة"},
		{"fa", "rtl", "سلام، من ۱۶ سالمه و دیروز ازم دزدی کردند", "فوراً از این صفحه خارج شوید"},
		{"so", "ltr", "asc waxaan ahay 16 jir, shalay ayaa la i dhacay", "Si degdeg ah uga bax boggan"},
		{"ti", "ltr", "ሰላም፣ ዕድመይ 16 ዓመት እዩ፣ ትማሊ ኣብ ጽርግያ ዘሪፎምኒ", "ካብዚ ገጽ ቀልጢፍኩም ውጹ"},
	}
	s := newSite(t)
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			ctx := browser(t)
			do(t, ctx,
				chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
				chromedp.Navigate(s.chatURL),
				chromedp.WaitVisible(chromedp.ID("message")),
				chromedp.Click(chromedp.CSS(`#langs button[value="`+tt.lang+`"]`)),
			)
			run(t, ctx, chromedp.Poll[bool](fmt.Sprintf(`document.documentElement.lang === %q && document.documentElement.dir === %q && document.getElementById("exit").textContent === %q`, tt.lang, tt.dir, tt.exit),
				chromedp.WithPollingTimeout(15*time.Second)))
			do(t, ctx,
				chromedp.SendKeys(chromedp.ID("message"), tt.message),
				chromedp.Click(chromedp.ID("send")),
			)
			run(t, ctx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById("log").innerText.includes(%q)`, youthNumber),
				chromedp.WithPollingTimeout(15*time.Second)))
			last := run(t, ctx, chromedp.Evaluate[[]string](`(function () {
				var bots = document.querySelectorAll("#log li.msg.bot");
				var li = bots[bots.length - 1];
				var tels = Array.prototype.map.call(li.querySelectorAll("a.tel"), function (a) { return a.textContent; });
				return [li.lang, li.dir, li.innerText].concat(tels);
			})()`))
			if len(last) < 3 || last[0] != tt.lang || last[1] != tt.dir {
				t.Fatalf("last reply: %q, want lang %s dir %s", last, tt.lang, tt.dir)
			}
			if strings.Contains(last[2], adultNumber) || !contains(last[3:], youthNumber) || !contains(last[3:], "112") {
				t.Errorf("last reply %q links %q; want %s and 112 as links, never %s", last[2], last[3:], youthNumber, adultNumber)
			}
			saveScreenshot(t, ctx, "webchat-"+tt.lang+".png", false)
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
