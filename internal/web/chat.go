package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/store"
)

// Rate-limit windows in the store: the session's under the session's scope, the client's
// under the client's (fixed names: a client's record never grows), the global one under
// the global scope. The poll windows count POST /chat/poll apart from the messages.
const (
	rateWindow       = "web"
	clientWindow     = "web:client"
	newWindow        = "web:new"
	globalWindow     = "web:global"
	pollWindow       = "web:poll"
	clientPollWindow = "web:client:poll"
)

// eraseTimeout bounds erasing a conversation on exit; the erasure outlives the request,
// since the browser has already left.
const eraseTimeout = 2 * time.Second

// index serves the page: GET /, in the language ?lang= names (sv, en, fi), else Swedish.
// A visitor without a session gets one.
func (c *Chat) index(w http.ResponseWriter, r *http.Request) {
	id, ok := c.session(r)
	if !ok {
		id = c.startSession(w, r)
	}
	c.render(w, http.StatusOK, pageData{Lang: c.pageLang(r.URL.Query().Get("lang")), CSRF: c.token(id)})
}

// chat answers POST /chat: one message from the resident (form field message), one turn.
func (c *Chat) chat(w http.ResponseWriter, r *http.Request) {
	id, lang, ok := c.admit(w, r)
	if !ok {
		return
	}
	text := cut(r.PostFormValue("message"))
	c.turn(w, r, id, lang, text, text)
}

// poll answers POST /chat/poll, which the page's script sends every few seconds: the staff
// replies queued for the session during a handoff, if any. It runs no turn and does not
// count against the message limits.
//
// A poll passes its own limits first, the client's then the session's (as a turn does,
// so a flood of new sessions from one client stops before each gets a record), and each
// counts only what passed the one before. A poll past a limit gets 429 with the safety
// reply and takes nothing from the inbox: the staff replies stay queued for the next poll
// or message. The script shows nothing of a 429 poll and asks again later.
func (c *Chat) poll(w http.ResponseWriter, r *http.Request) {
	id, lang, ok := c.admit(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	scope := c.scope(id)
	limit := ""
	switch {
	case c.over(ctx, c.client(r), clientPollWindow, c.cfg.PollLimit):
		limit = metrics.WebLimitClientPoll
	case c.over(ctx, scope, pollWindow, c.cfg.SessionPollLimit):
		limit = metrics.WebLimitSessionPoll
	}
	if limit != "" {
		if c.cfg.Metrics != nil {
			c.cfg.Metrics.WebRateLimited.WithLabelValues(limit).Inc()
		}
		c.respond(w, r, answer{status: http.StatusTooManyRequests, lang: lang, replies: c.safe(lang), csrf: c.token(id)})
		return
	}
	var replies []bot.Reply
	if c.cfg.Inbox != nil {
		queued, err := c.cfg.Inbox.Take(ctx, scope)
		if err != nil {
			c.cfg.Log.Warn("web chat: staff replies not read", "error", err.Error())
		}
		for _, q := range queued {
			replies = append(replies, bot.Reply{Text: q, Lang: lang, MessageID: "staff"})
		}
	}
	c.respond(w, r, answer{lang: lang, replies: replies, csrf: c.token(id)})
}

// language answers POST /chat/lang: a language button. It runs the turn the language's
// switch word would run, so the conversation and the page switch together.
func (c *Chat) language(w http.ResponseWriter, r *http.Request) {
	id, lang, ok := c.admit(w, r)
	if !ok {
		return
	}
	want := r.PostFormValue("lang")
	word, known := c.switchWord[want]
	if !known {
		c.respond(w, r, answer{status: http.StatusBadRequest, lang: lang, replies: c.safe(lang), notice: "web_not_sent", csrf: c.token(id)})
		return
	}
	c.turn(w, r, id, want, word, "")
}

// admit runs the checks every POST passes before a turn: same origin, size, session and
// token. It answers a refused request itself, with the safety reply, and returns false.
// lang is the page's language (form field lang), for the answer.
func (c *Chat) admit(w http.ResponseWriter, r *http.Request) (id, lang string, ok bool) {
	if err := c.cop.Check(r); err != nil {
		// Cross-site: no cookie is set or read, nothing changes.
		c.respond(w, r, answer{status: http.StatusForbidden, lang: "", replies: c.safe(""), notice: "web_not_sent"})
		return "", "", false
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		status, notice := http.StatusBadRequest, "web_not_sent"
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status, notice = http.StatusRequestEntityTooLarge, "web_too_long"
		}
		a := answer{status: status, lang: r.URL.Query().Get("lang"), replies: c.safe(""), notice: notice}
		if id, ok := c.session(r); ok {
			a.csrf = c.token(id)
		}
		c.respond(w, r, a)
		return "", "", false
	}
	lang = c.pageLang(r.PostFormValue("lang"))
	id, ok = c.session(r)
	if !ok {
		// No session (cookies blocked, or the browser was restarted): start one, so the
		// resident can send again from the page this answer shows.
		id = c.startSession(w, r)
		c.respond(w, r, answer{status: http.StatusForbidden, lang: lang, replies: c.safe(lang), notice: "web_not_sent", csrf: c.token(id), newToken: true})
		return "", "", false
	}
	if !c.tokenOK(r, id) {
		c.respond(w, r, answer{status: http.StatusForbidden, lang: lang, replies: c.safe(lang), notice: "web_not_sent", csrf: c.token(id), newToken: true})
		return "", "", false
	}
	return id, lang, true
}

// turn runs one turn for session id and answers. said is the resident's message as the
// no-JS page repeats it ("" for a language button); it is never stored.
//
// Before the turn the message passes the limits, cheapest for the store first, and each
// counts only what passed the ones before: the client's turns, then (for a conversation
// that does not exist yet) the conversations the client started, the session's messages,
// and all clients' turns. A message past a limit gets the safety reply and no turn, so
// it stores nothing about the session.
func (c *Chat) turn(w http.ResponseWriter, r *http.Request, id, lang, text, said string) {
	ctx := r.Context()
	scope := c.scope(id)
	tok := c.token(id)
	client := c.client(r)
	refuse := func(limit string) {
		if c.cfg.Metrics != nil {
			c.cfg.Metrics.WebRateLimited.WithLabelValues(limit).Inc()
		}
		rep := c.cfg.Service.Safe(text)
		c.respond(w, r, answer{status: http.StatusTooManyRequests, lang: c.langOr(rep.Lang, lang), said: said, replies: []bot.Reply{rep}, notice: "web_busy", csrf: tok})
	}
	if c.over(ctx, client, clientWindow, c.cfg.ClientLimit) {
		refuse(metrics.WebLimitClient)
		return
	}
	var loaded *store.Conversation
	if conv, err := c.cfg.Store.Load(ctx, scope); err != nil {
		// The turn below degrades to the safety reply if the store is down.
		c.cfg.Log.Warn("web chat: conversation not loaded before the turn", "error", err.Error())
	} else {
		loaded = &conv
		if conv.Version == 0 && c.over(ctx, client, newWindow, c.cfg.NewLimit) {
			refuse(metrics.WebLimitNew)
			return
		}
	}
	if c.over(ctx, scope, rateWindow, Limit{N: int64(c.cfg.RateLimit), Per: c.cfg.RateWindow}) {
		refuse(metrics.WebLimitSession)
		return
	}
	if c.over(ctx, "", globalWindow, c.cfg.GlobalLimit) {
		refuse(metrics.WebLimitGlobal)
		return
	}
	// A turn that starts a handoff gives the session a new id: from then on the
	// conversation answers only to an id nobody but this browser has seen, since staff
	// are about to read along (one planted in the browser, or seen over a shoulder, reads
	// nothing staff write).
	var nid string
	o := c.cfg.Service.Handle(ctx, conversation.Inbound{
		Channel: Channel, Scope: scope, Client: client, Text: text, Loaded: loaded, FirstTTL: c.cfg.FirstTTL,
		NewScope: func() (string, bool) {
			nid = c.newSessionID()
			return c.scope(nid), true
		},
	})
	rotated := o.Scope != scope && nid != ""
	if rotated {
		c.setSession(w, r, nid)
		scope, tok = o.Scope, c.token(nid)
	}
	l := o.State.Lang
	if l == "" && len(o.Replies) > 0 {
		l = o.Replies[0].Lang // an erased conversation, or the safety reply
	}
	replies := o.Replies
	if c.cfg.Inbox != nil && !o.Degraded {
		// Staff replies that came since the last message, before this message's answer.
		queued, err := c.cfg.Inbox.Take(ctx, scope)
		if err != nil {
			c.cfg.Log.Warn("web chat: staff replies not read", "error", err.Error())
		}
		if len(queued) > 0 {
			staff := make([]bot.Reply, 0, len(queued)+len(replies))
			for _, q := range queued {
				staff = append(staff, bot.Reply{Text: q, Lang: l, MessageID: "staff"})
			}
			replies = append(staff, replies...)
		}
	}
	c.respond(w, r, answer{lang: c.langOr(l, lang), said: said, replies: replies, csrf: tok, newToken: rotated})
}

// over counts one event in window under scope and reports whether it is past l. A store
// that fails counts nothing and refuses nothing: the turn then degrades on its own.
func (c *Chat) over(ctx context.Context, scope, window string, l Limit) bool {
	n, err := c.cfg.Store.Hit(ctx, scope, window, l.Per)
	if err != nil {
		c.cfg.Log.Warn("web chat: rate limit not counted", "window", window, "error", err.Error())
		return false
	}
	return n > l.N
}

// langOr returns lang if trygg speaks it, else fallback.
func (c *Chat) langOr(lang, fallback string) string {
	if _, ok := c.texts[lang]; ok {
		return lang
	}
	return fallback
}

// safe is the safety reply in lang (the default language if lang is not trygg's).
func (c *Chat) safe(lang string) []bot.Reply {
	return []bot.Reply{c.cfg.Service.Engine().Safe(c.pageLang(lang))}
}

// cut makes a message valid UTF-8 and keeps its first MaxMessage characters.
func cut(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= MaxMessage {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxMessage {
			return s[:i]
		}
		n++
	}
	return s
}

// exitPost answers POST /chat/exit, which the page's script sends (as a beacon) on quick
// exit and when the tab closes: it erases the session's conversation. 204 when erased.
func (c *Chat) exitPost(w http.ResponseWriter, r *http.Request) {
	if err := c.cop.Check(r); err != nil {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	id, ok := c.session(r)
	if !ok || !c.tokenOK(r, id) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	c.erase(r.Context(), id)
	w.WriteHeader(http.StatusNoContent)
}

// exitGet answers GET /chat/exit, the quick-exit link without JavaScript: it erases the
// conversation, drops the session cookie and sends the browser on to the neutral page.
// Only a request from trygg's own page (or typed in) erases: the cookie is SameSite=Strict,
// so another site's link never carries it, and Sec-Fetch-Site is checked as well.
func (c *Chat) exitGet(w http.ResponseWriter, r *http.Request) {
	if id, ok := c.session(r); ok && fromHere(r) {
		c.erase(r.Context(), id)
		c.endSession(w, r)
	}
	http.Redirect(w, r, c.cfg.ExitURL, http.StatusSeeOther)
}

// fromHere reports whether a navigation came from trygg's own pages or the address bar.
func fromHere(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}

// erase deletes everything the store holds about session id. It runs to the end even if
// the browser has gone.
func (c *Chat) erase(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), eraseTimeout)
	defer cancel()
	if err := c.cfg.Store.Erase(ctx, c.scope(id)); err != nil {
		c.cfg.Log.Warn("web chat: conversation not erased on exit", "error", err.Error())
	}
}
