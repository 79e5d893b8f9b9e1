// Package app builds trygg from its configuration: the flows and the engine, the store,
// the conversation service, the HTTP server and every channel that is configured. The
// binary and the end-to-end tests build trygg the same way, through New.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/clock"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/grannsamverkan"
	"github.com/vasteras/trygg/internal/handoff"
	"github.com/vasteras/trygg/internal/lagesbild"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/server"
	"github.com/vasteras/trygg/internal/slack"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/store/redisstore"
	"github.com/vasteras/trygg/internal/whatsapp"
	"github.com/vasteras/trygg/locales"
)

// statsFlushInterval is how often counted events move from memory to the store.
const statsFlushInterval = 10 * time.Second

// App is a built trygg. New builds it in tiers, each on the ones before it and never the
// other way round: the core (flows, engine, store, conversation service), the outboxes
// (the SMS sender, the Slack poster, the web inbox), the features that join every turn
// (lägesbild, Grannsamverkan, handoffs, metrics), the channels (SMS, web chat, Slack), and
// the background runners, which Serve starts.
type App struct {
	Config  config.Config
	Log     *slog.Logger
	Flows   *flows.Set
	Engine  *bot.Engine
	Store   store.Store
	Stats   store.Stats
	Hasher  *pseudonym.Hasher
	Service *conversation.Service
	// Server is the public listener (TRYGG_ADDR): every channel, health and readiness.
	Server *server.Server
	// MetricsServer is the private listener (TRYGG_METRICS_ADDR): /metrics, health and
	// readiness, never reachable through the public one.
	MetricsServer *server.Server
	Metrics       *metrics.Metrics
	// Lagesbild keeps the reports of places that feel unsafe.
	Lagesbild lagesbild.Store
	// Location is Europe/Stockholm, where days, weeks and times of day are counted.
	Location *time.Location

	// Outboxes. SMSSender is the Twilio REST sender (nil without TWILIO_FROM or
	// TWILIO_MESSAGING_SERVICE_SID); SlackPoster posts cards to Slack (nil without Slack).
	SMSSender   *sms.Sender
	SlackPoster *slack.Poster
	// WhatsAppSender is the WhatsApp outbox (the 24-hour window, templates); nil without
	// TWILIO_WHATSAPP_FROM or a store that keeps records.
	WhatsAppSender *whatsapp.Sender
	inbox          *handoff.Inbox // staff replies queued for the web chat; nil without records

	// Features. Grannsamverkan is the ombud register and Alerts the area alerts; Handoff
	// hands conversations to staff in Slack. Each is nil when off.
	Grannsamverkan *grannsamverkan.Service
	Alerts         *grannsamverkan.Alerts
	Handoff        *handoff.Service

	// Channels. SMS is the Twilio webhook handler, Slack the staff channel; nil when off.
	SMS   *sms.Handler
	Slack *slack.Bot
	// WhatsApp is the WhatsApp webhook handler (the SMS handler's WhatsApp Variant); nil
	// when off.
	WhatsApp *sms.Handler

	now      func() time.Time  // Options.Now
	clock    clock.Clock       // Options.Clock
	slackAPI *slackapi.Client  // the Web API client of the poster and the bot
	twilioRT http.RoundTripper // Options.TwilioTransport
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
	// SlackAPIURL replaces Slack's Web API address, with a trailing slash (tests).
	SlackAPIURL string
	// Clock wakes the Monday lägesbild post and the handoff sweeper; nil means the real
	// clock (tests set a fake).
	Clock clock.Clock
	// TwilioTransport carries the SMS sender's requests; nil: the network (tests).
	TwilioTransport http.RoundTripper
}

// New builds trygg from cfg, tier by tier (see App). Close the App when done.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, opts Options) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	a := &App{Config: cfg, Log: log, now: opts.Now, clock: opts.Clock, twilioRT: opts.TwilioTransport}
	if err := a.buildCore(ctx, opts); err != nil {
		return nil, err
	}
	if err := a.buildTiers(opts.SlackAPIURL); err != nil {
		a.Store.Close()
		return nil, err
	}
	return a, nil
}

// buildTiers builds the outboxes, then the features on them, then the channels on those.
func (a *App) buildTiers(slackAPIURL string) error {
	if err := a.buildOutboxes(slackAPIURL); err != nil {
		return err
	}
	if err := a.buildFeatures(); err != nil {
		return err
	}
	return a.buildChannels()
}

// buildCore builds the flows, the engine, the pseudonyms, the store, the metrics, the
// lägesbild's store, the conversation service and the two servers.
func (a *App) buildCore(ctx context.Context, opts Options) error {
	cfg, log := a.Config, a.Log
	var err error
	if a.Location, err = time.LoadLocation(config.Zone); err != nil {
		return fmt.Errorf("time zone: %w", err)
	}
	if a.Flows, err = LoadFlows(cfg); err != nil {
		return err
	}
	texts := TextConfig(cfg)
	if problems := flows.CheckConfigured(a.Flows, texts); len(problems) > 0 {
		return fmt.Errorf("texts with this configuration: %s", problems[0])
	}
	a.Engine = bot.New(a.Flows, bot.Options{Location: a.Location, Texts: &texts})
	if cfg.Secret != nil {
		if a.Hasher, err = pseudonym.New(cfg.Secret); err != nil {
			return fmt.Errorf("TRYGG_SECRET: %w", err)
		}
	} else {
		a.Hasher = pseudonym.Random()
		log.Warn("TRYGG_SECRET is not set: senders are pseudonymised with a random key, so conversations do not survive a restart")
	}
	a.Store = opts.Store
	if a.Store == nil {
		if a.Store, err = openStore(ctx, cfg, opts.Now, log); err != nil {
			return err
		}
	}
	a.Metrics = metrics.New()
	a.Store = a.Metrics.InstrumentStore(a.Store)
	if st, ok := a.Store.(store.Stats); ok {
		a.Stats = st
	}
	a.Lagesbild = openLagesbild(cfg, a.Store, opts.Now)
	a.Service = conversation.New(conversation.Config{
		Engine: a.Engine, Store: a.Store, Stats: a.Stats, TTL: cfg.ConversationTTL, Now: opts.Now, Log: log,
	})
	var serverOpts []server.Option
	if strings.HasPrefix(cfg.PublicURL, "https://") {
		// Residents reach trygg over https only: browsers keep to it from then on.
		serverOpts = append(serverOpts, server.WithHSTS(server.HSTS))
	}
	a.Server = server.New(cfg.Addr, log, a.Store.Ping, serverOpts...)
	a.MetricsServer = server.New(cfg.MetricsAddr, log.With("listener", "metrics"), a.Store.Ping)
	a.MetricsServer.Handle("GET /metrics", a.Metrics.Handler())
	return nil
}

// redisStartPing bounds the Redis ping at start-up.
const redisStartPing = 2 * time.Second

// openStore opens the store the configuration names: Redis when configured, else memory.
// A Redis that does not answer at start-up is logged, not fatal: /readyz reports 503, each
// turn gets the safety reply, and the client reconnects by itself when Redis is back.
func openStore(ctx context.Context, cfg config.Config, now func() time.Time, log *slog.Logger) (store.Store, error) {
	if !cfg.RedisEnabled() {
		log.Info("store: in memory (set REDIS_URL to share conversations between replicas)")
		return store.NewMemory(now), nil
	}
	s, err := redisstore.Open(redisstore.Config{URL: cfg.RedisURL, Addrs: cfg.RedisAddrs, MasterName: cfg.RedisMasterName})
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL/REDIS_ADDRS: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, redisStartPing)
	defer cancel()
	if err := s.Ping(pctx); err != nil {
		log.Error("store: Redis does not answer; residents get the safety reply and /readyz is 503 until it does",
			"error", err.Error())
	} else {
		log.Info("store: Redis")
		checkEviction(pctx, s, log)
	}
	return s, nil
}

// checkEviction warns when Redis would not evict the oldest conversations when full
// (redisstore.MaxMemoryPolicy): with noeviction, the default, a full Redis answers every
// resident with the safety reply. A Redis that refuses CONFIG is not checked.
func checkEviction(ctx context.Context, s *redisstore.Store, log *slog.Logger) {
	p, err := s.EvictionPolicy(ctx)
	if err != nil {
		log.Debug("store: cannot read Redis' maxmemory-policy", "error", err.Error())
		return
	}
	if p != redisstore.MaxMemoryPolicy {
		log.Warn("store: Redis' maxmemory-policy is not "+redisstore.MaxMemoryPolicy+": when Redis is full it will not drop the oldest conversations (see Memory sizing in the README)",
			"maxmemory_policy", p)
	}
}

// openLagesbild keeps the reports of unsafe places in the conversation store's records,
// so they are shared by every replica when that store is Redis.
func openLagesbild(cfg config.Config, st store.Store, now func() time.Time) lagesbild.Store {
	if rec, ok := st.(store.Records); ok {
		return lagesbild.RecordsStore{Records: rec, Retention: cfg.LagesbildRetention, Now: now}
	}
	return lagesbild.NewMemory(cfg.LagesbildRetention, now)
}

// LagesbildNames returns the human names of areas and places, for the export.
func LagesbildNames(set *flows.Set) lagesbild.Names {
	n := lagesbild.Names{Areas: set.Areas, Places: map[string]string{}}
	for _, p := range set.Places {
		if len(p.Names) > 0 {
			name := []rune(p.Names[0])
			n.Places[p.ID] = strings.ToUpper(string(name[:1])) + string(name[1:])
		}
	}
	return n
}

// Run listens on TRYGG_ADDR and TRYGG_METRICS_ADDR and serves until ctx ends (see Serve).
// An address that cannot be listened on stops it before anything is served.
func (a *App) Run(ctx context.Context) error {
	var lc net.ListenConfig
	public, err := lc.Listen(ctx, "tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("TRYGG_ADDR: listen on %s: %w", a.Config.Addr, err)
	}
	private, err := lc.Listen(ctx, "tcp", a.Config.MetricsAddr)
	if err != nil {
		public.Close()
		return fmt.Errorf("TRYGG_METRICS_ADDR: listen on %s: %w", a.Config.MetricsAddr, err)
	}
	return a.Serve(ctx, public, private)
}

// Serve serves the channels on public and /metrics on private until ctx ends, flushing
// statistics as it goes, and posts the lägesbild to SLACK_STAFF_CHANNEL every Monday 08:00
// when Slack and the channel are configured. When either server fails the other is shut
// down too. It returns after the last flush and post, so the store can be closed then.
// Serve closes both listeners.
func (a *App) Serve(ctx context.Context, public, private net.Listener) error {
	flushCtx, stopFlushing := context.WithCancel(ctx)
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		if a.Stats != nil {
			a.Service.Tally().FlushEvery(flushCtx, a.Stats, statsFlushInterval, func(err error) {
				a.Log.Warn("statistics not saved", "error", err.Error())
			})
		}
	}()
	weekly, err := a.weeklyLagesbild()
	if err != nil {
		stopFlushing()
		<-flushed
		public.Close()
		private.Close()
		return err
	}
	alerting := make(chan struct{})
	go func() {
		defer close(alerting)
		a.runAlerts(flushCtx)
	}()
	posted := make(chan struct{})
	go func() {
		defer close(posted)
		if weekly != nil {
			if err := weekly.Run(flushCtx); err != nil {
				a.Log.Error("lägesbild: the weekly post stopped", "error", err.Error())
			}
		}
	}()
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		if a.Handoff != nil {
			if err := a.Handoff.Run(flushCtx); err != nil {
				a.Log.Error("handoff: the sweeper stopped", "error", err.Error())
			}
		}
	}()
	if a.Slack != nil && a.Config.SlackAppToken != "" {
		go func() {
			if err := a.Slack.RunSocketMode(ctx); err != nil {
				a.Log.Error("slack: Socket Mode stopped", "error", err.Error())
			}
		}()
	}
	err = a.serveBoth(ctx, public, private)
	stopFlushing() // also when a server failed on its own
	<-flushed
	<-posted
	<-swept
	<-alerting
	return err
}

// serveBoth serves the public and the metrics server until ctx ends or one of them fails,
// then shuts both down and returns their errors.
func (a *App) serveBoth(ctx context.Context, public, private net.Listener) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	metricsDone := make(chan error, 1)
	go func() {
		err := a.MetricsServer.Serve(ctx, private)
		stop() // a metrics listener that fails takes the public one down with it
		metricsDone <- err
	}()
	err := a.Server.Serve(ctx, public)
	stop()
	return errors.Join(err, <-metricsDone)
}

// Close waits for the background work of Slack, handoffs and Grannsamverkan, then
// releases the store.
func (a *App) Close() error {
	if a.Slack != nil {
		a.Slack.Wait()
	}
	if a.Handoff != nil {
		a.Handoff.Wait()
	}
	if a.Grannsamverkan != nil {
		a.Grannsamverkan.Wait()
	}
	if err := a.Store.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}
