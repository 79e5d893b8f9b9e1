// Package slack is trygg's channel for staff in Slack: the slash command /trygg, @trygg
// mentions and, later, buttons.
//
//   - /trygg fråga <text> shows exactly what a resident writing <text> would get: each reply,
//     its language, its encoding and SMS segments, and the route to help. It runs the
//     conversation service's preview (the same features as a resident's SMS, nothing
//     written but the test conversation, never counted in the statistics); its
//     state lives under "slacktest:<channel>:<thread>" so @trygg in the thread continues it.
//   - /trygg statistik shows the aggregate counters of a day, a week or a month.
//   - /trygg lägesbild [vecka] shows the EST lägesbild of a week (areas and places under 3
//     reports as "<3") and uploads its chart to the channel; PostLagesbild posts the same to
//     the staff channel every Monday; /trygg export [vecka] uploads the week as CSV.
//   - /trygg hjälp, and anything unknown, shows the help.
//
// The same Bot serves Slack over HTTP (Mount: signed requests on /slack/...) and over
// Socket Mode (RunSocketMode), through the same HandleCommand, HandleEvent and
// HandleInteraction. Every HTTP request is verified with slack-go's SecretsVerifier over the
// raw body before anything else happens. Slack wants an answer within 3 seconds: work that
// takes longer is finished in the background and sent to the command's response_url, and
// events are acknowledged at once and answered in a thread by a bounded set of workers.
//
// Staff never see a phone number or a pseudonym here: the test conversations have no
// sender, the statistics are aggregate counters, and phone numbers typed into a question
// are hidden when the question is shown back. Nothing logged holds message text.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/grannsamverkan"
	"github.com/vasteras/trygg/internal/lagesbild"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/store"
)

// Defaults for the optional settings of Config.
const (
	// DefaultInlineWait is how long a command may take to answer in Slack's own response;
	// Slack gives up after 3 seconds.
	DefaultInlineWait = 2 * time.Second
	// DefaultWorkTimeout bounds the background work of one command or event.
	DefaultWorkTimeout = 30 * time.Second
	// DefaultMaxInFlight bounds the commands and events worked on at once.
	DefaultMaxInFlight = 8
	// DefaultMaxBody is the largest request body accepted; Slack's are a few KiB.
	DefaultMaxBody = 64 << 10
	// DefaultTestTTL is how long a silent test conversation is kept.
	DefaultTestTTL = 24 * time.Hour
	// responseTimeout bounds one post to a response_url.
	responseTimeout = 10 * time.Second
)

// Store scopes this package keeps records under.
const (
	// testScopePrefix starts the scope of a test conversation: slacktest:<channel>:<thread>.
	testScopePrefix = "slacktest:"
	// eventScope remembers the event ids already handled, so a retried event is answered once.
	eventScope = "slack-events"
	// eventTTL is how long an event id is remembered; Slack retries within minutes.
	eventTTL = 2 * time.Hour
)

// ErrBusy is returned by HandleEvent when too many events are being worked on; the
// transport lets Slack retry later.
var ErrBusy = errors.New("slack: too many requests in flight")

// Config holds what a Bot needs.
type Config struct {
	// Engine gives the languages and texts of the test conversations.
	Engine *bot.Engine
	// Service runs the test conversations as previews (conversation.Inbound.Preview), with
	// the features a resident's turn has; nil: a service on Store without features.
	Service *conversation.Service
	// Store keeps the test conversations and the handled event ids.
	Store store.Store
	// Stats are the aggregate counters /trygg statistik shows; nil: there are none.
	Stats store.Stats
	// API is the Slack Web API client (a bot token; with an app-level token for Socket Mode).
	API *slackapi.Client
	// SigningSecret verifies HTTP requests from Slack.
	SigningSecret string
	// TeamID, when set, is the only workspace served; others, and users of other
	// workspaces in shared channels, get a polite refusal. Unset: the workspace of the
	// installation each request was delivered for.
	TeamID string
	// AllowedChannels, when set, are the only channels served.
	AllowedChannels []string
	// Lagesbild holds the reports of unsafe places for /trygg lägesbild, /trygg export and
	// the Monday post; nil: those say there is no lägesbild.
	Lagesbild lagesbild.Store
	// Names are the human names of the areas and places of flows/places.yaml.
	Names lagesbild.Names
	// TestTTL is how long a silent test conversation is kept; 0 means DefaultTestTTL.
	TestTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives what happened, never message text; nil discards.
	Log *slog.Logger
	// HTTPClient posts to response URLs; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// InlineWait, WorkTimeout, MaxInFlight and MaxBody: 0 means the defaults above.
	InlineWait  time.Duration
	WorkTimeout time.Duration
	MaxInFlight int
	MaxBody     int64
	// Grannsamverkan is the ombud register for /trygg ombud, Alerts the area alerts for
	// /trygg larm, and AlertUsers the user ids that may send alerts (SLACK_ALERT_USERS);
	// nil: those commands say Grannsamverkan is not set up.
	Grannsamverkan *grannsamverkan.Service
	Alerts         *grannsamverkan.Alerts
	AlertUsers     []string
	// Metrics counts requests refused for their signature; nil counts nothing.
	Metrics *metrics.Metrics
	// Poster posts the cards; nil builds one on API (without handoff or alert details).
	Poster *Poster
	// Desk is the handoff service: buttons on case cards and staff replies in their
	// threads in StaffChannel (SLACK_STAFF_CHANNEL) go to it; nil: no handoffs.
	Desk         Desk
	StaffChannel string
}

// Bot serves staff in Slack. It is safe for concurrent use.
type Bot struct {
	// Poster renders and posts the cards; the Bot shows the same texts.
	*Poster
	cfg   Config
	slots chan struct{} // one token per command or event in flight
	wg    sync.WaitGroup
}

// New returns a Bot.
func New(cfg Config) (*Bot, error) {
	if cfg.Engine == nil || cfg.Store == nil || cfg.API == nil {
		return nil, errors.New("slack: Engine, Store and API are required")
	}
	if cfg.SigningSecret == "" {
		return nil, errors.New("slack: the signing secret is required")
	}
	if cfg.TestTTL <= 0 {
		cfg.TestTTL = DefaultTestTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Service == nil {
		cfg.Service = conversation.New(conversation.Config{Engine: cfg.Engine, Store: cfg.Store, TTL: cfg.TestTTL, Now: cfg.Now, Log: cfg.Log})
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: responseTimeout}
	}
	if cfg.InlineWait <= 0 {
		cfg.InlineWait = DefaultInlineWait
	}
	if cfg.WorkTimeout <= 0 {
		cfg.WorkTimeout = DefaultWorkTimeout
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Poster == nil {
		pc := PosterConfig{API: cfg.API, Log: cfg.Log}
		if cfg.Grannsamverkan != nil {
			pc.AreaName = cfg.Grannsamverkan.AreaName
		}
		p, err := NewPoster(pc)
		if err != nil {
			return nil, err
		}
		cfg.Poster = p
	}
	return &Bot{
		Poster: cfg.Poster,
		cfg:    cfg,
		slots:  make(chan struct{}, cfg.MaxInFlight),
	}, nil
}

// Wait blocks until the background work started so far is done.
func (b *Bot) Wait() { b.wg.Wait() }

// tryAcquire takes a slot for background work, or reports that all are taken.
func (b *Bot) tryAcquire() bool {
	select {
	case b.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// release gives a slot back.
func (b *Bot) release() { <-b.slots }

// background runs work in a goroutine holding a slot the caller acquired, with its own
// deadline, detached from the request that started it. A panic is logged, not fatal.
func (b *Bot) background(ctx context.Context, what string, work func(ctx context.Context)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer b.release()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.cfg.WorkTimeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				b.log.Error("slack work panicked", "work", what, "panic", fmt.Sprint(p))
			}
		}()
		work(ctx)
	}()
}
