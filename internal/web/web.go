// Package web is trygg's web chat at GET /: a page served by trygg itself, with no
// third-party assets, for residents who cannot safely receive SMS.
//
// Privacy is the design. The conversation lives on the server under the pseudonym of a
// session id that trygg issued (random, with a MAC under a key derived from TRYGG_SECRET)
// and that travels in an HttpOnly, SameSite=Strict, __Host- session cookie; message
// text is never kept beyond the request that carries it. With JavaScript the page adds
// the messages to itself (POST /chat answers JSON); without it a plain form post answers
// with a whole page showing the last message and trygg's replies. Nothing is written to
// the browser's storage. A quick-exit button (and the Escape key) replaces the page with a
// neutral site and erases the conversation.
//
// Every POST is checked against cross-site requests (Sec-Fetch-Site/Origin and a
// per-session token), limited in size and rate, and still answers with the safety reply
// (112 and Brottsofferjouren) when it is refused: a resident is never left without a way
// to get help. The rates are limited per session, per client (its address, or the one a
// trusted proxy forwards; IPv6 by /64), for new conversations per client, and for all
// clients together, so one client can neither flood the store nor crowd others out. The
// script's polls for staff replies are limited per session and per client on their own.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/store"
)

// Limits of the web chat.
const (
	// MaxBody is the largest POST body accepted; larger gets 413. It holds a message of
	// MaxMessage characters of any kind, percent-encoded, with room to spare.
	MaxBody = 32 << 10
	// MaxMessage is the longest message read, in characters; the rest is cut.
	MaxMessage = 2000
	// DefaultRateLimit messages per DefaultRateWindow per session get a turn; past it
	// the safety reply stands in.
	DefaultRateLimit  = 30
	DefaultRateWindow = 10 * time.Minute
	// DefaultFirstTTL is how long a conversation is kept that never got past its first
	// message; the second message gives it the conversation TTL.
	DefaultFirstTTL = 30 * time.Minute
	// DefaultSessionPollLimit polls (POST /chat/poll) per DefaultSessionPollWindow per
	// session are answered; past it a poll gets 429 and the staff replies stay queued.
	// The page's script polls every 5 seconds (12 a minute) while it is visible and not
	// sending; the limit is twice that, room for a second tab of the same session.
	DefaultSessionPollLimit  = 24
	DefaultSessionPollWindow = time.Minute
)

// Defaults of the per-client and global limits (TRYGG_WEB_CLIENT_LIMIT,
// TRYGG_WEB_NEW_LIMIT, TRYGG_WEB_GLOBAL_LIMIT, TRYGG_WEB_POLL_LIMIT). A client is an
// address, and many residents can share one (a school, a shelter, a mobile operator's
// NAT): the per-client limits are several sessions' worth. DefaultPollLimit, the polls
// of one client, is 20 pages polling at the script's rate (10 at the session limit).
var (
	DefaultClientLimit = Limit{N: 120, Per: 10 * time.Minute}
	DefaultNewLimit    = Limit{N: 20, Per: 10 * time.Minute}
	DefaultGlobalLimit = Limit{N: 600, Per: time.Minute}
	DefaultPollLimit   = Limit{N: 240, Per: time.Minute}
)

// Limit is a number of events allowed in a fixed window of time.
type Limit struct {
	N   int64
	Per time.Duration
}

// Channel is the channel name behind the pseudonyms of web sessions.
const Channel = "web"

// Config holds what the web chat needs.
type Config struct {
	// Service runs the turns.
	Service *conversation.Service
	// Store holds the rate-limit windows and is erased on exit.
	Store store.Store
	// Flows gives the page texts (locales, ids web_*) and each language's switch word.
	Flows *flows.Set
	// Hasher makes the session's pseudonym and the key of the per-session token.
	Hasher *pseudonym.Hasher
	// ExitURL is the neutral page of the quick exit (TRYGG_QUICK_EXIT_URL).
	ExitURL string
	// SecureCookies treats every request as https (the public URL is https behind a
	// proxy): the session cookie is then the Secure __Host- one (CookieName). Requests
	// that arrive over TLS, or from a trusted proxy with X-Forwarded-Proto: https, get it
	// anyway.
	SecureCookies bool
	// RateLimit messages per RateWindow per session; 0 means the defaults.
	RateLimit  int
	RateWindow time.Duration
	// ClientLimit bounds the turns of one client, NewLimit the conversations one client
	// starts, GlobalLimit the turns of all clients together; zero means the defaults.
	ClientLimit, NewLimit, GlobalLimit Limit
	// SessionPollLimit bounds the polls (POST /chat/poll) of one session, PollLimit those
	// of one client; zero means DefaultSessionPollLimit per DefaultSessionPollWindow and
	// DefaultPollLimit.
	SessionPollLimit, PollLimit Limit
	// FirstTTL is how long a conversation that never got past its first message is kept;
	// 0 means DefaultFirstTTL.
	FirstTTL time.Duration
	// Proxies are the trusted proxies (TRYGG_TRUSTED_PROXIES) whose forwarded client
	// address is believed; none: the client is the socket's peer.
	Proxies Proxies
	// Log receives errors, never message text; nil discards.
	Log *slog.Logger
	// Metrics counts messages and polls past the limits; nil counts nothing.
	Metrics *metrics.Metrics
	// Inbox holds staff replies queued for a session during a handoff; the page's script
	// asks for them every few seconds (POST /chat/poll), and without the script they are
	// shown with the answer to the resident's next message. nil: none.
	Inbox Inbox
}

// Inbox gives the staff replies queued for a scope, oldest first, and forgets them:
// handoff.Inbox is one.
type Inbox interface {
	Take(ctx context.Context, scope string) ([]string, error)
}

// Chat is the web chat. Create it with New and mount it with Mount.
type Chat struct {
	cfg  Config
	page *template.Template
	// texts holds the page texts: lang → id → text.
	texts map[string]map[string]string
	// switchWord is, per language, the word that switches a conversation to it.
	switchWord map[string]string
	langs      []string
	csrfKey    []byte
	sessionKey []byte
	cop        *http.CrossOriginProtection
	// untrustedProxy logs once that forwarded requests come from a peer not trusted.
	untrustedProxy sync.Once
	static         http.Handler
}

// pageTexts are the ids of the page texts; each must exist in every language. The page's
// <title> (web_page_title) stays in the browser's history, so it names no crime.
var pageTexts = []string{
	"web_page_title", "web_title", "web_intro", "web_danger", "web_call", "web_conversation", "web_you",
	"web_bot", "web_message", "web_send", "web_language", "web_language_name", "web_exit",
	"web_exit_hint", "web_privacy", "web_not_sent", "web_too_long", "web_busy", "web_offline",
}

// New returns the web chat. It fails when a page text or a language's switch word is
// missing, so a broken locale stops trygg at start-up rather than showing an empty button.
func New(cfg Config) (*Chat, error) {
	if cfg.Service == nil || cfg.Store == nil || cfg.Flows == nil || cfg.Hasher == nil {
		return nil, errors.New("web: Service, Store, Flows and Hasher are required")
	}
	if cfg.ExitURL == "" {
		return nil, errors.New("web: ExitURL is required")
	}
	if cfg.RateLimit <= 0 {
		cfg.RateLimit = DefaultRateLimit
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = DefaultRateWindow
	}
	for _, l := range []struct {
		got *Limit
		def Limit
	}{
		{&cfg.ClientLimit, DefaultClientLimit}, {&cfg.NewLimit, DefaultNewLimit}, {&cfg.GlobalLimit, DefaultGlobalLimit},
		{&cfg.SessionPollLimit, Limit{N: DefaultSessionPollLimit, Per: DefaultSessionPollWindow}}, {&cfg.PollLimit, DefaultPollLimit},
	} {
		if l.got.N <= 0 || l.got.Per <= 0 {
			*l.got = l.def
		}
	}
	if cfg.FirstTTL <= 0 {
		cfg.FirstTTL = DefaultFirstTTL
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	c := &Chat{
		cfg:        cfg,
		texts:      map[string]map[string]string{},
		switchWord: map[string]string{},
		langs:      cfg.Flows.Catalog.Langs(),
		csrfKey:    cfg.Hasher.Key("web-csrf"),
		sessionKey: cfg.Hasher.Key("web-session"),
		cop:        http.NewCrossOriginProtection(),
	}
	cat := cfg.Flows.Catalog
	for _, lang := range c.langs {
		c.texts[lang] = map[string]string{}
		for _, id := range pageTexts {
			t, ok := cat.Text(lang, id)
			if !ok || t == "" {
				return nil, fmt.Errorf("web: text %s is missing in locales (run `trygg flows check`)", id)
			}
			c.texts[lang][id] = t
		}
		w, err := switchWord(cfg.Flows, lang)
		if err != nil {
			return nil, err
		}
		c.switchWord[lang] = w
	}
	var err error
	if c.page, err = parsePage(); err != nil {
		return nil, err
	}
	c.static = staticHandler()
	return c, nil
}

// switchWord returns the first phrase of intent lang_<lang> in lang's own lexicon: what a
// resident would write to switch to lang, so a language button does exactly that.
func switchWord(set *flows.Set, lang string) (string, error) {
	for _, lx := range set.Lexicons {
		if lx.Lang != lang {
			continue
		}
		in := lx.Intents["lang_"+lang]
		for _, p := range append(append([]string{}, in.Whole...), in.Any...) {
			if p != "" {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("web: flows/lexicon/%s.yaml has no words for lang_%s", lang, lang)
}

// Mounter is where routes are mounted: *server.Server.
type Mounter interface {
	Handle(pattern string, h http.Handler)
}

// Mount mounts the web chat's routes on m.
func (c *Chat) Mount(m Mounter) {
	m.Handle("GET /{$}", c.secure(http.HandlerFunc(c.index)))
	m.Handle("POST /chat", c.secure(http.HandlerFunc(c.chat)))
	m.Handle("POST /chat/lang", c.secure(http.HandlerFunc(c.language)))
	m.Handle("POST /chat/poll", c.secure(http.HandlerFunc(c.poll)))
	m.Handle("POST /chat/exit", c.secure(http.HandlerFunc(c.exitPost)))
	m.Handle("GET /chat/exit", c.secure(http.HandlerFunc(c.exitGet)))
	m.Handle("GET /static/", c.secure(c.static))
}
