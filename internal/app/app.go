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
	"github.com/vasteras/trygg/internal/web"
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
	// Server is the public listener (TRYGG_ADDR): every channel, health and readiness.
	Server *server.Server
	// MetricsServer is the private listener (TRYGG_METRICS_ADDR): /metrics, health and
	// readiness, never reachable through the public one.
	MetricsServer *server.Server
	// Lagesbild keeps the reports of places that feel unsafe.
	Lagesbild lagesbild.Store
	// Location is Europe/Stockholm, where days, weeks and times of day are counted.
	Location *time.Location
	// Slack is the staff channel in Slack; nil when not configured.
	Slack *slack.Bot

	now         func() time.Time  // Options.Now
	clock       clock.Clock       // Options.Clock
	slackAPIURL string            // Options.SlackAPIURL
	twilioRT    http.RoundTripper // Options.TwilioTransport
	Metrics     *metrics.Metrics
	// SMS is the Twilio SMS channel and SMSSender its REST sender; nil when not configured.
	SMS       *sms.Handler
	SMSSender *sms.Sender
	// Handoff hands conversations to staff in Slack; nil when Slack or
	// SLACK_STAFF_CHANNEL is not configured.
	Handoff *handoff.Service
	// handoffObserver is Handoff as the channels take it (nil interface when off).
	handoffObserver handoffObserver
	// Grannsamverkan is the ombud register and Alerts the area alerts; nil when off.
	Grannsamverkan *grannsamverkan.Service
	Alerts         *grannsamverkan.Alerts
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

// New builds trygg from cfg. Close the App when done.
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
	a := &App{Config: cfg, Log: log, now: opts.Now, clock: opts.Clock, slackAPIURL: opts.SlackAPIURL, twilioRT: opts.TwilioTransport}
	var err error
	if a.Location, err = time.LoadLocation(config.Zone); err != nil {
		return nil, fmt.Errorf("time zone: %w", err)
	}
	if a.Flows, err = LoadFlows(cfg); err != nil {
		return nil, err
	}
	a.Engine = bot.New(a.Flows, bot.Options{Location: a.Location})

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
	a.Metrics = metrics.New()
	a.Store = a.Metrics.InstrumentStore(a.Store)
	if st, ok := a.Store.(store.Stats); ok {
		a.Stats = st
	}
	a.Lagesbild = openLagesbild(cfg, a.Store, opts.Now)
	if err := a.openGrannsamverkan(); err != nil {
		a.Store.Close()
		return nil, err
	}
	a.Service = conversation.New(conversation.Config{
		Engine: a.Engine,
		Store:  a.Store,
		Stats:  a.Stats,
		TTL:    cfg.ConversationTTL,
		Now:    opts.Now,
		Log:    log,
		Sinks: []conversation.Sink{lagesbild.Recorder{
			Store: a.Lagesbild, Location: a.Location, Limiter: a.Store, ClientCap: cfg.LagesbildClientCap,
			Key: a.Hasher.Key("lagesbild"), Counted: a.Metrics.CountReport,
		}},
		// Handoffs are offered only where staff can be reached and can answer.
		Staffed: func(t time.Time) bool { return HandoffPossible(cfg) && cfg.StaffedHours.Open(t) },
		Prepare: a.prepareTurn(),
		Observe: a.observeTurn,
	})
	a.Server = server.New(cfg.Addr, log, a.Store.Ping)
	if strings.HasPrefix(cfg.PublicURL, "https://") {
		// Residents reach trygg over https only: browsers keep to it from then on.
		a.Server.SetHSTS(server.HSTS)
	}
	a.MetricsServer = server.New(cfg.MetricsAddr, log.With("listener", "metrics"), a.Store.Ping)
	a.MetricsServer.Handle("GET /metrics", a.Metrics.Handler())
	if err := a.mountChannels(ctx); err != nil {
		a.Store.Close()
		return nil, err
	}
	return a, nil
}

// observeTurn counts a conversation turn in the metrics.
func (a *App) observeTurn(channel string, d time.Duration, o conversation.Outcome) {
	a.Metrics.ObserveTurn(metrics.Turn{
		Channel: channel, Duration: d, Degraded: o.Degraded, Replies: len(o.Replies),
		New: o.New, Lang: o.State.Lang, Events: o.Events,
	})
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

// mountSMS mounts the Twilio SMS channel when it is configured.
func (a *App) mountSMS() error {
	if !a.Config.SMSEnabled() {
		a.Log.Info("sms: off (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to turn it on)")
		return nil
	}
	var err error
	a.SMS, a.SMSSender, err = sms.FromConfig(a.Config, sms.Deps{
		Service: a.Service, Store: a.Store, Hasher: a.Hasher, Metrics: a.Metrics, Now: a.now, Log: a.Log,
		Handoff: a.handoffObserver, Transport: a.twilioRT,
		Hooks: a.smsHooks(),
	})
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	a.SMS.Mount(a.Server)
	if err := a.openAlerts(); err != nil {
		return err
	}
	a.Log.Info("sms: on", "webhook", "POST "+sms.InboundPath, "status_callback", "POST "+sms.StatusPath,
		"public_url_set", a.Config.PublicURL != "", "sender", a.SMSSender != nil)
	if a.Config.PublicURL == "" {
		a.Log.Warn("sms: TRYGG_PUBLIC_URL is not set: signatures are checked against a URL derived from each request (Host, X-Forwarded-Proto), and messages trygg sends get no status callback")
	}
	return nil
}

// mountChannels mounts every configured channel on the server.
func (a *App) mountChannels(_ context.Context) error {
	if err := a.mountSlack(); err != nil {
		return err
	}
	if err := a.newHandoff(); err != nil {
		return err
	}
	if err := a.mountSMS(); err != nil {
		return err
	}
	if err := a.mountWeb(); err != nil {
		return err
	}
	return nil
}

// mountWeb mounts the web chat at GET /. It is always on: it needs no credentials.
func (a *App) mountWeb() error {
	chat, err := web.New(web.Config{
		Service:       a.Service,
		Store:         a.Store,
		Flows:         a.Flows,
		Hasher:        a.Hasher,
		ExitURL:       a.Config.QuickExitURL,
		SecureCookies: strings.HasPrefix(a.Config.PublicURL, "https://"),
		Proxies:       web.Proxies(a.Config.TrustedProxies),
		ClientLimit:   web.Limit{N: a.Config.WebClientLimit.N, Per: a.Config.WebClientLimit.Per},
		NewLimit:      web.Limit{N: a.Config.WebNewLimit.N, Per: a.Config.WebNewLimit.Per},
		GlobalLimit:   web.Limit{N: a.Config.WebGlobalLimit.N, Per: a.Config.WebGlobalLimit.Per},
		Log:           a.Log,
		Handoff:       a.handoffObserver,
		Inbox:         a.webInbox(),
		Metrics:       a.Metrics,
	})
	if err != nil {
		return fmt.Errorf("web chat: %w", err)
	}
	chat.Mount(a.Server)
	return nil
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
