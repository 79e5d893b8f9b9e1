// Package app builds trygg from its configuration: the flows and the engine, the store,
// the conversation service, the HTTP server and every channel that is configured. The
// binary and the end-to-end tests build trygg the same way, through New.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/server"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/locales"
)

// statsFlushInterval is how often counted events move from memory to the store.
const statsFlushInterval = 10 * time.Second

// App is a built trygg.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	Flows   *flows.Set
	Engine  *bot.Engine
	Store   store.Store
	Stats   store.Stats
	Hasher  *pseudonym.Hasher
	Service *conversation.Service
	Server  *server.Server
	Metrics *metrics.Metrics
	// SMS is the Twilio SMS channel and SMSSender its REST sender; nil when not configured.
	SMS       *sms.Handler
	SMSSender *sms.Sender

	now func() time.Time
}

// Source returns where the flow and locale files are read from: the configured
// directories, or the files built into the binary.
func Source(cfg config.Config) flows.Source {
	src := flows.EmbeddedSource(locales.Embedded())
	if cfg.FlowsDir != "" {
		src.Flows, src.FlowsName = os.DirFS(cfg.FlowsDir), cfg.FlowsDir
	}
	if cfg.LocalesDir != "" {
		src.Locales, src.LocalesName = os.DirFS(cfg.LocalesDir), cfg.LocalesDir
	}
	return src
}

// LoadFlows loads and checks the flows. A set with problems is refused: trygg does not
// run conversations it cannot vouch for.
func LoadFlows(cfg config.Config) (*flows.Set, error) {
	set, err := flows.Load(Source(cfg))
	if err != nil {
		return nil, fmt.Errorf("load flows: %w", err)
	}
	if problems := flows.Check(set); len(problems) > 0 {
		lines := make([]string, len(problems))
		for i, p := range problems {
			lines[i] = p.String()
		}
		return nil, fmt.Errorf("flows have %d problems (run `trygg flows check`):\n%s", len(problems), strings.Join(lines, "\n"))
	}
	return set, nil
}

// Options are what a caller may set beyond the configuration.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Store replaces the store the configuration names (tests).
	Store store.Store
}

// New builds trygg from cfg. Close the App when done.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &App{Config: cfg, Log: log, now: opts.Now}
	var err error
	if a.Flows, err = LoadFlows(cfg); err != nil {
		return nil, err
	}
	a.Engine = bot.New(a.Flows, bot.Options{})

	if cfg.Secret != nil {
		if a.Hasher, err = pseudonym.New(cfg.Secret); err != nil {
			return nil, fmt.Errorf("TRYGG_SECRET: %w", err)
		}
	} else {
		a.Hasher = pseudonym.Random()
		log.Warn("TRYGG_SECRET is not set: senders are pseudonymised with a random key, so conversations do not survive a restart")
	}

	a.Store = opts.Store
	if a.Store == nil {
		if a.Store, err = openStore(ctx, cfg, opts.Now, log); err != nil {
			return nil, err
		}
	}
	if st, ok := a.Store.(store.Stats); ok {
		a.Stats = st
	}
	a.Service = conversation.New(conversation.Config{
		Engine: a.Engine,
		Store:  a.Store,
		Stats:  a.Stats,
		TTL:    cfg.ConversationTTL,
		Now:    opts.Now,
		Log:    log,
	})
	a.Server = server.New(cfg.Addr, log, a.Store.Ping)
	a.Metrics = metrics.New()
	a.Server.Handle("GET /metrics", a.Metrics.Handler())
	if err := a.mountChannels(ctx); err != nil {
		a.Store.Close()
		return nil, err
	}
	return a, nil
}

// openStore opens the store the configuration names: Redis when configured, else memory.
func openStore(_ context.Context, cfg config.Config, now func() time.Time, log *slog.Logger) (store.Store, error) {
	if cfg.RedisEnabled() {
		return nil, errors.New("REDIS_URL/REDIS_ADDRS: this build has no Redis store yet")
	}
	log.Info("store: in memory (set REDIS_URL to share conversations between replicas)")
	return store.NewMemory(now), nil
}

// mountChannels mounts every configured channel on the server.
func (a *App) mountChannels(_ context.Context) error {
	if !a.Config.SMSEnabled() {
		a.Log.Info("sms: off (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to turn it on)")
	} else {
		var err error
		a.SMS, a.SMSSender, err = sms.FromConfig(a.Config, sms.Deps{
			Service: a.Service, Store: a.Store, Hasher: a.Hasher, Metrics: a.Metrics, Now: a.now, Log: a.Log,
		})
		if err != nil {
			return fmt.Errorf("sms: %w", err)
		}
		a.SMS.Mount(a.Server)
		a.Log.Info("sms: on", "webhook", "POST "+sms.InboundPath, "status_callback", "POST "+sms.StatusPath,
			"public_url_set", a.Config.PublicURL != "", "sender", a.SMSSender != nil)
		if a.Config.PublicURL == "" {
			a.Log.Warn("sms: TRYGG_PUBLIC_URL is not set: signatures are checked against a URL derived from each request (Host, X-Forwarded-Proto), and messages trygg sends get no status callback")
		}
	}
	return nil
}

// Run serves until ctx ends, flushing statistics as it goes.
func (a *App) Run(ctx context.Context) error {
	if a.Stats != nil {
		go a.Service.Tally().FlushEvery(ctx, a.Stats, statsFlushInterval, func(err error) {
			a.Log.Warn("statistics not saved", "error", err.Error())
		})
	}
	return a.Server.Run(ctx)
}

// Close releases the store.
func (a *App) Close() error {
	if err := a.Store.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}
