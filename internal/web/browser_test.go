package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/vasteras/trygg/internal/web"
)

// The browser tests drive the real web chat in Debian's headless Chromium. Without
// Chromium they skip, unless CI is set: CI must run them (.ci/run installs chromium).
// TRYGG_SCREENSHOT_DIR, when set, receives copies of the screenshots (webchat.png,
// webchat-nojs.png); they are always saved in the test's artifact directory
// (go test -artifacts keeps it).

// browserTimeout bounds one browser flow.
const browserTimeout = 60 * time.Second

// chromium returns the path of the browser, skipping or failing the test without one.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TRYGG_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if ci := os.Getenv("CI"); ci != "" && ci != "false" && ci != "0" {
		t.Fatal("chromium is not installed, and CI must run the browser tests (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium); set CI=true to make this a failure")
	return ""
}

// browser starts a headless Chromium for one test and returns a tab's context. The
// flags keep it off the network (closed here): no background connections, no QUIC, no
// component updates, no sync, an empty profile.
func browser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := chromium(t)
	profile := t.TempDir() // removed after the browser has stopped (cleanups run last-in first-out)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "sv-SE"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(390, 844),
	)
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser, without a timeout
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(cancel)
	return tctx
}

// site is the real trygg (internal/app, memory store) on a loopback server, and a second
// server standing for the rest of the web: the page the resident came from and the
// neutral page of the quick exit (the network is closed, so it cannot be smhi.se).
type site struct {
	h                     *harness
	chatURL, startURL     string
	neutralURL, neutralHN string
}

func newSite(t *testing.T) *site {
	t.Helper()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/start" {
			fmt.Fprint(w, `<!doctype html><title>Start</title><h1 id="start">Sökresultat</h1>`)
			return
		}
		fmt.Fprint(w, `<!doctype html><title>Väder</title><h1 id="neutral">Väder i Västerås</h1>`)
	}))
	t.Cleanup(other.Close)
	h := newHarness(t, map[string]string{"TRYGG_QUICK_EXIT_URL": other.URL + "/weather"})
	srv := httptest.NewServer(h.h)
	t.Cleanup(srv.Close)
	return &site{h: h, chatURL: srv.URL + "/", startURL: other.URL + "/start", neutralURL: other.URL + "/weather"}
}

// run runs browser actions and fails the test on an error.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// sessionCookie returns the web chat's cookie as the browser holds it, or nil.
func sessionCookie(t *testing.T, ctx context.Context, url string) *network.Cookie {
	t.Helper()
	return namedCookie(t, ctx, url, web.PlainCookieName)
}

// namedCookie returns the cookie name for url as the browser holds it, or nil.
func namedCookie(t *testing.T, ctx context.Context, url, name string) *network.Cookie {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// saveScreenshot writes a PNG of the page (full: all of it; else what the screen shows)
// to the test's artifact directory and, when TRYGG_SCREENSHOT_DIR is set, there too.
func saveScreenshot(t *testing.T, ctx context.Context, name string, full bool) {
	t.Helper()
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(100)
	}
	png := run(t, ctx, shot)
	dirs := []string{t.ArtifactDir()}
	if d := os.Getenv("TRYGG_SCREENSHOT_DIR"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s (%d bytes)", p, len(png))
	}
}

// waitErased polls the store until the session's conversation is gone (the exit beacon
// is sent as the page goes away), with a deadline.
func waitErased(t *testing.T, h *harness, session string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.version(session) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("conversation not erased after the quick exit")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// back goes one step back in the history, as the Back button does, and returns where it
// landed and what that page shows. It does not wait for a load event: a page restored
// from the back/forward cache fires none, and a page that was the answer to a form post
// with no-store becomes an error page (net::ERR_CACHE_MISS) rather than being posted again.
func back(t *testing.T, ctx context.Context) (loc, body string) {
	t.Helper()
	hist := run(t, ctx, chromedp.NavigationEntries())
	if hist.CurrentIndex == 0 {
		return run(t, ctx, chromedp.Location()), run(t, ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	}
	from := hist.Entries[hist.CurrentIndex].URL
	to := hist.Entries[hist.CurrentIndex-1]
	if _, err := chromedp.Call(ctx, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: to.ID}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		state, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[document.readyState, location.href, document.body ? document.body.innerText : ""]`))
		if err == nil && len(state) == 3 && state[0] == "complete" && state[1] != from {
			return state[1], state[2]
		}
		if time.Now().After(deadline) {
			t.Fatalf("Back did not leave %s (last state %q, %v)", from, state, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// assertChatGone presses Back and checks that neither the chat nor the resident's message
// comes back.
func assertChatGone(t *testing.T, ctx context.Context, s *site) string {
	t.Helper()
	hist := run(t, ctx, chromedp.NavigationEntries())
	for _, e := range hist.Entries {
		t.Logf("history: %s", e.URL)
	}
	loc, body := back(t, ctx)
	t.Logf("after Back: %s", loc)
	if strings.HasPrefix(loc, s.chatURL) && strings.Contains(body, youthNumber) {
		t.Errorf("Back shows the chat at %s:\n%s", loc, body)
	}
	if strings.Contains(body, robbed16) {
		t.Errorf("Back shows the resident's message at %s", loc)
	}
	return loc
}

// TestBrowserChat: in a real headless Chromium, a resident opens the chat, types "Jag är
// 16 och blev rånad", sends it and sees the youth number; nothing is kept in the browser;
// the English button relabels the page in place; Escape lands on the neutral page, the
// conversation is erased, and Back does not show the chat.
func TestBrowserChat(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)

	do(t, ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(s.startURL),
		chromedp.Navigate(s.chatURL),
		chromedp.WaitVisible(chromedp.ID("message")),
		chromedp.SendKeys(chromedp.ID("message"), robbed16),
		chromedp.Click(chromedp.ID("send")),
	)
	run(t, ctx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById("log").innerText.includes(%q)`, youthNumber),
		chromedp.WithPollingTimeout(15*time.Second)))
	log := run(t, ctx, chromedp.Text(chromedp.ID("log")))
	if !strings.Contains(log, robbed16) || !strings.Contains(log, youthNumber) || strings.Contains(log, adultNumber) {
		t.Errorf("conversation shown:\n%s", log)
	}
	if loc := run(t, ctx, chromedp.Location()); loc != s.chatURL {
		t.Errorf("the script did not answer in place: the page is %s", loc)
	}
	if n := run(t, ctx, chromedp.Evaluate[int](`localStorage.length + sessionStorage.length + document.cookie.length`)); n != 0 {
		t.Errorf("the page keeps %d characters in the browser's storage or readable cookies", n)
	}
	ck := sessionCookie(t, ctx, s.chatURL)
	if ck == nil || !ck.HTTPOnly || ck.SameSite != network.CookieSameSiteStrict || !ck.Session {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, session-only", ck)
	}
	if s.h.version(ck.Value) == 0 {
		t.Fatal("the conversation is not on the server")
	}
	saveScreenshot(t, ctx, "webchat.png", true)

	// A language button relabels the page in place and switches the conversation.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#langs button[value="en"]`)))
	run(t, ctx, chromedp.Poll[bool](`document.documentElement.lang === "en" && document.getElementById("exit").textContent === "Leave this page quickly"`,
		chromedp.WithPollingTimeout(15*time.Second)))
	if log := run(t, ctx, chromedp.Text(chromedp.ID("log"))); !strings.Contains(log, robbed16) || !strings.Contains(log, "I will write in English") {
		t.Errorf("after the switch the conversation shows:\n%s", log)
	}

	// Escape: the neutral page replaces the chat.
	do(t, ctx,
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitVisible(chromedp.ID("neutral")),
	)
	if loc := run(t, ctx, chromedp.Location()); loc != s.neutralURL {
		t.Errorf("after Escape the page is %s, want %s", loc, s.neutralURL)
	}
	waitErased(t, s.h, ck.Value)
	hist := run(t, ctx, chromedp.NavigationEntries())
	for _, e := range hist.Entries {
		if strings.HasPrefix(e.URL, s.chatURL) {
			t.Errorf("the chat is still in the history: %s", e.URL)
		}
	}
	if loc := assertChatGone(t, ctx, s); loc != s.startURL {
		t.Errorf("Back went to %s, want the page before the chat, %s", loc, s.startURL)
	}
}

// TestBrowserChatWithoutJavaScript: the same flow with JavaScript switched off: the form
// posts, the answer is a whole page, and the quick-exit link erases the conversation on
// its way to the neutral page.
func TestBrowserChatWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	ctx := browser(t)

	do(t, ctx,
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return chromedp.Void{}, err
		},
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(s.startURL),
		chromedp.Navigate(s.chatURL),
		chromedp.WaitVisible(chromedp.ID("message")),
		chromedp.SendKeys(chromedp.ID("message"), robbed16),
		chromedp.Click(chromedp.ID("send")),
		chromedp.WaitVisible(chromedp.ID("latest")),
	)
	if loc := run(t, ctx, chromedp.Location()); loc != s.chatURL+"chat#latest" {
		t.Errorf("the form did not post: the page is %s", loc)
	}
	log := run(t, ctx, chromedp.Text(chromedp.ID("log")))
	if !strings.Contains(log, robbed16) || !strings.Contains(log, youthNumber) || strings.Contains(log, adultNumber) {
		t.Errorf("conversation shown:\n%s", log)
	}
	ck := sessionCookie(t, ctx, s.chatURL)
	if ck == nil || s.h.version(ck.Value) == 0 {
		t.Fatal("no conversation on the server")
	}
	saveScreenshot(t, ctx, "webchat-nojs.png", false) // as the resident sees it, scrolled to the answer

	// Escape does nothing without a script; the button is a link through trygg.
	do(t, ctx,
		chromedp.Click(chromedp.ID("exit")),
		chromedp.WaitVisible(chromedp.ID("neutral")),
	)
	if loc := run(t, ctx, chromedp.Location()); loc != s.neutralURL {
		t.Errorf("after the exit link the page is %s, want %s", loc, s.neutralURL)
	}
	if s.h.version(ck.Value) != 0 {
		t.Error("the exit link did not erase the conversation")
	}
	if c := sessionCookie(t, ctx, s.chatURL); c != nil {
		t.Errorf("the session cookie is still there: %+v", c)
	}
	assertChatGone(t, ctx, s)
}

// TestBrowserChatOverHTTPS: over https a real Chromium keeps the __Host- session cookie
// (Secure, Path=/, no Domain) and the chat works with it; the page's script cannot read it.
func TestBrowserChatOverHTTPS(t *testing.T) {
	h := newHarness(t, nil)
	srv := httptest.NewTLSServer(h.h)
	t.Cleanup(srv.Close)
	ctx := browser(t, chromedp.Flag("ignore-certificate-errors", true))
	chatURL := srv.URL + "/"
	do(t, ctx,
		chromedp.Navigate(chatURL),
		chromedp.WaitVisible(chromedp.ID("message")),
		chromedp.SendKeys(chromedp.ID("message"), robbed16),
		chromedp.Click(chromedp.ID("send")),
	)
	run(t, ctx, chromedp.Poll[bool](fmt.Sprintf(`document.getElementById("log").innerText.includes(%q)`, youthNumber),
		chromedp.WithPollingTimeout(15*time.Second)))
	ck := namedCookie(t, ctx, chatURL, web.CookieName)
	if ck == nil || !ck.Secure || !ck.HTTPOnly || ck.Path != "/" || ck.SameSite != network.CookieSameSiteStrict {
		t.Fatalf("session cookie %+v: want a Secure, HttpOnly, SameSite=Strict __Host- cookie", ck)
	}
	if plain := namedCookie(t, ctx, chatURL, web.PlainCookieName); plain != nil {
		t.Errorf("a cookie without the prefix was set over https: %+v", plain)
	}
	if h.version(ck.Value) == 0 {
		t.Error("the conversation is not on the server")
	}
	if n := run(t, ctx, chromedp.Evaluate[int](`document.cookie.length`)); n != 0 {
		t.Errorf("the page's script reads %d characters of cookies", n)
	}
}
