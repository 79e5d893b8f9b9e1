package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/grannsamverkan"
	"github.com/vasteras/trygg/internal/handoff"
	"github.com/vasteras/trygg/internal/lagesbild"
	"github.com/vasteras/trygg/internal/slack"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/web"
	"github.com/vasteras/trygg/internal/whatsapp"
)

// slackAPITimeout bounds one call of Slack's Web API.
const slackAPITimeout = 10 * time.Second

// HandoffPossible reports whether cfg lets trygg hand a conversation to staff: Slack and
// SLACK_STAFF_CHANNEL are set, and when SMS is on it can text residents back (TWILIO_FROM
// or TWILIO_MESSAGING_SERVICE_SID). TRYGG_STAFFED_HOURS then says when.
func HandoffPossible(cfg config.Config) bool {
	if !cfg.SlackEnabled() || cfg.SlackStaffChannel == "" {
		return false
	}
	return !cfg.SMSEnabled() || cfg.TwilioFrom != "" || cfg.TwilioMessagingServiceSID != "" || cfg.WhatsAppFrom != ""
}

// buildOutboxes builds what the features send through: the SMS sender, the Slack poster
// and the web chat's inbox. None of them needs a feature or a channel.
func (a *App) buildOutboxes(slackAPIURL string) error {
	cfg := a.Config
	if cfg.SMSEnabled() {
		s, err := sms.SenderFromConfig(cfg, sms.Deps{Now: a.now, Log: a.Log, Metrics: a.Metrics, Transport: a.twilioRT})
		if err != nil {
			return fmt.Errorf("sms: %w", err)
		}
		a.SMSSender = s
	}
	if cfg.SlackEnabled() {
		opts := []slackapi.Option{slackapi.OptionHTTPClient(&http.Client{Timeout: slackAPITimeout})}
		if cfg.SlackAppToken != "" {
			opts = append(opts, slackapi.OptionAppLevelToken(cfg.SlackAppToken))
		}
		if slackAPIURL != "" {
			opts = append(opts, slackapi.OptionAPIURL(slackAPIURL))
		}
		a.slackAPI = slackapi.New(cfg.SlackBotToken, opts...)
		p, err := slack.NewPoster(slack.PosterConfig{
			API: a.slackAPI, AreaName: a.areaName, HandoffWait: cfg.HandoffWait, HandoffIdle: cfg.ConversationTTL, Log: a.Log,
		})
		if err != nil {
			return fmt.Errorf("slack: %w", err)
		}
		a.SlackPoster = p
	}
	if rec, ok := a.Store.(store.Records); ok {
		a.inbox = &handoff.Inbox{Records: rec, TTL: cfg.ConversationTTL, Now: a.now}
	}
	if cfg.WhatsAppEnabled() {
		rec, ok := a.Store.(store.Records)
		if !ok {
			return errors.New("whatsapp: the store keeps no records (needed for the 24-hour window)")
		}
		// A message found failed later is told in its case's thread, once the handoff
		// feature is built on this outbox.
		undelivered := func(ctx context.Context, scope, reason string) error {
			if a.Handoff == nil {
				return nil
			}
			return a.Handoff.Undelivered(ctx, scope, reason)
		}
		s, err := whatsapp.SenderFromConfig(cfg, rec, sms.Deps{Now: a.now, Log: a.Log, Metrics: a.Metrics, Transport: a.twilioRT}, a.Location, undelivered)
		if err != nil {
			return err
		}
		a.WhatsAppSender = s
	}
	return nil
}

// areaName is the name of an area of flows/places.yaml, or its id.
func (a *App) areaName(id string) string {
	if n, ok := a.Flows.Areas[id]; ok {
		return n
	}
	return id
}

// buildFeatures builds the features on the outboxes and registers them on the
// conversation service: the lägesbild recorder, Grannsamverkan (and its alerts), handoffs
// and metrics, in the order their steps run.
func (a *App) buildFeatures() error {
	features := []conversation.Feature{lagesbild.Recorder{
		Store: a.Lagesbild, Location: a.Location, Limiter: a.Store, ClientCap: a.Config.LagesbildClientCap,
		Key: a.Hasher.Key("lagesbild"), Counted: a.Metrics.CountReport,
	}}
	if err := a.buildGrannsamverkan(); err != nil {
		return err
	}
	if a.Grannsamverkan != nil {
		features = append(features, a.Grannsamverkan)
	}
	if err := a.buildHandoff(); err != nil {
		return err
	}
	if a.Handoff != nil {
		features = append(features, a.Handoff)
	}
	a.Service.Register(append(features, a.Metrics.Turns())...)
	return nil
}

// buildGrannsamverkan builds the ombud register on the conversation store's records
// (shared by the replicas when the store is Redis), and the area alerts when the SMS
// sender is there too; off when the store keeps no records.
func (a *App) buildGrannsamverkan() error {
	rec, ok := a.Store.(store.Records)
	if !ok {
		a.Log.Info("grannsamverkan: off (the store keeps no records)")
		return nil
	}
	gsCfg := grannsamverkan.Config{
		Records: rec, Guard: a.Store, Hasher: a.Hasher, Areas: a.Flows.Areas, Now: a.now, Log: a.Log,
	}
	engine := a.Engine
	gsCfg.IsYes = func(text string) bool { return engine.Says(text, "yes") }
	if s := a.SMSSender; s != nil {
		// A JA that lost its invite at the last moment is corrected by SMS.
		gsCfg.NotRegistered = func(ctx context.Context, to, lang string) error {
			_, err := s.Send(ctx, to, engine.OmbudNotRegistered(lang).Text)
			return err
		}
	}
	gs, err := grannsamverkan.New(gsCfg)
	if err != nil {
		return fmt.Errorf("grannsamverkan: %w", err)
	}
	a.Grannsamverkan = gs
	if a.SMSSender == nil {
		return nil
	}
	alCfg := grannsamverkan.AlertsConfig{
		Service: gs, Records: rec, Guard: a.Store, Send: a.SMSSender.Send,
		OptedOut: func(err error) bool { return errors.Is(err, sms.ErrOptedOut) },
		Clock:    a.clock, Log: a.Log,
	}
	if a.SlackPoster != nil {
		alCfg.Card = a.SlackPoster.UpdateAlertCard
	}
	if a.Alerts, err = grannsamverkan.NewAlerts(alCfg); err != nil {
		return fmt.Errorf("grannsamverkan alerts: %w", err)
	}
	return nil
}

// buildHandoff builds the handoff service when it is possible: on the Slack poster, the
// SMS sender and the web inbox.
func (a *App) buildHandoff() error {
	rec, ok := a.Store.(store.Records)
	if !HandoffPossible(a.Config) || a.SlackPoster == nil || !ok {
		if !a.Config.StaffedHours.IsZero() {
			a.Log.Info("handoff: off (needs SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_STAFF_CHANNEL and, with SMS, TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID); residents asking for a person get the numbers")
		}
		return nil
	}
	outboxes := map[string]handoff.Outbox{web.Channel: a.inbox}
	if a.SMSSender != nil {
		outboxes[sms.PseudonymChannel] = handoff.SMS{Texter: a.SMSSender}
	}
	if a.WhatsAppSender != nil {
		outboxes[whatsapp.Channel] = a.WhatsAppSender
	}
	h, err := handoff.New(handoff.Config{
		Conversations: a.Service,
		Store:         a.Store,
		Records:       rec,
		Key:           a.Hasher.Key("handoff-phone"),
		Staff:         a.SlackPoster,
		Channel:       a.Config.SlackStaffChannel,
		Outboxes:      outboxes,
		Wait:          a.Config.HandoffWait,
		// Outside staffed hours a resident is offered no handoff, and one waiting on staff
		// gets the numbers at once.
		Staffed: a.Config.StaffedHours.Open,
		TTL:     a.Config.ConversationTTL,
		Clock:   a.clock,
		Log:     a.Log,
	})
	if err != nil {
		return fmt.Errorf("handoff: %w", err)
	}
	a.Handoff = h
	a.Log.Info("handoff: on", "staffed_hours", a.Config.StaffedHours.String(), "wait", a.Config.HandoffWait)
	return nil
}

// buildChannels builds and mounts every configured channel on the features: Slack, SMS,
// WhatsApp and the web chat.
func (a *App) buildChannels() error {
	if err := a.buildSlack(); err != nil {
		return err
	}
	if err := a.buildSMS(); err != nil {
		return err
	}
	if err := a.buildWhatsApp(); err != nil {
		return err
	}
	return a.buildWeb()
}

// buildWhatsApp mounts the WhatsApp channel when it is configured. Its status callbacks
// come to the SMS channel's route.
func (a *App) buildWhatsApp() error {
	if !a.Config.WhatsAppEnabled() {
		a.Log.Info("whatsapp: off (set TWILIO_WHATSAPP_FROM with the Twilio credentials to turn it on)")
		return nil
	}
	h, err := whatsapp.FromConfig(a.Config, sms.Deps{
		Service: a.Service, Store: a.Store, Hasher: a.Hasher, Metrics: a.Metrics, Now: a.now, Log: a.Log,
	})
	if err != nil {
		return fmt.Errorf("whatsapp: %w", err)
	}
	a.WhatsApp = h
	h.Mount(a.Server)
	a.Log.Info("whatsapp: on", "webhook", "POST "+whatsapp.Path, "status_callback", "POST "+sms.StatusPath,
		"templates", len(a.Config.WhatsAppTemplates))
	if len(a.Config.WhatsAppTemplates) == 0 {
		a.Log.Warn("whatsapp: no TWILIO_WA_TEMPLATE_* is set: outside a resident's 24-hour window staff replies are held and staff are told the window is closed")
	}
	return nil
}

// buildSlack builds the Slack staff channel when it is configured: HTTP routes, or Socket
// Mode (started by Serve) when an app-level token is set.
func (a *App) buildSlack() error {
	cfg := a.Config
	if a.SlackPoster == nil {
		a.Log.Info("slack: off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to turn it on)")
		return nil
	}
	sc := slack.Config{
		Engine:          a.Engine,
		Service:         a.Service,
		Store:           a.Store,
		Stats:           a.Stats,
		API:             a.slackAPI,
		Poster:          a.SlackPoster,
		SigningSecret:   cfg.SlackSigningSecret,
		TeamID:          cfg.SlackTeamID,
		AllowedChannels: cfg.SlackAllowedChannels,
		Lagesbild:       a.Lagesbild,
		Names:           LagesbildNames(a.Flows),
		TestTTL:         cfg.ConversationTTL,
		Now:             a.now,
		Log:             a.Log,
		Grannsamverkan:  a.Grannsamverkan,
		Alerts:          a.Alerts,
		AlertUsers:      cfg.SlackAlertUsers,
		Metrics:         a.Metrics,
	}
	if a.Handoff != nil {
		sc.Desk, sc.StaffChannel = a.Handoff, cfg.SlackStaffChannel
	}
	b, err := slack.New(sc)
	if err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	a.Slack = b
	if cfg.SlackAppToken != "" {
		a.Log.Info("slack: Socket Mode (SLACK_APP_TOKEN is set); no /slack routes are mounted")
		return nil
	}
	b.Mount(a.Server)
	a.Log.Info("slack: on", "routes", []string{slack.RouteCommands, slack.RouteEvents, slack.RouteInteractions})
	return nil
}

// buildSMS mounts the Twilio SMS channel when it is configured.
func (a *App) buildSMS() error {
	if !a.Config.SMSEnabled() {
		a.Log.Info("sms: off (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to turn it on)")
		return nil
	}
	var hooks sms.Hooks
	if a.Alerts != nil {
		hooks.Status = a.Alerts.Status
	}
	if a.WhatsAppSender != nil {
		hooks.Delivery = a.WhatsAppSender.Status
	}
	h, err := sms.FromConfig(a.Config, sms.Deps{
		Service: a.Service, Store: a.Store, Hasher: a.Hasher, Metrics: a.Metrics, Now: a.now, Log: a.Log, Hooks: hooks,
	})
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	a.SMS = h
	h.Mount(a.Server)
	a.Log.Info("sms: on", "webhook", "POST "+sms.InboundPath, "status_callback", "POST "+sms.StatusPath,
		"public_url_set", a.Config.PublicURL != "", "sender", a.SMSSender != nil)
	if a.Config.PublicURL == "" {
		a.Log.Warn("sms: TRYGG_PUBLIC_URL is not set: signatures are checked against a URL derived from each request (Host, X-Forwarded-Proto), and messages trygg sends get no status callback")
	}
	return nil
}

// buildWeb mounts the web chat at GET /. It is always on: it needs no credentials.
func (a *App) buildWeb() error {
	wc := web.Config{
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
		PollLimit:     web.Limit{N: a.Config.WebPollLimit.N, Per: a.Config.WebPollLimit.Per},
		Log:           a.Log,
		Metrics:       a.Metrics,
	}
	if a.Handoff != nil && a.inbox != nil {
		wc.Inbox = a.inbox
	}
	chat, err := web.New(wc)
	if err != nil {
		return fmt.Errorf("web chat: %w", err)
	}
	chat.Mount(a.Server)
	return nil
}

// weeklyLagesbild returns the Monday post of the lägesbild to SLACK_STAFF_CHANNEL, or nil
// when Slack or the staff channel is not configured.
func (a *App) weeklyLagesbild() (*lagesbild.Weekly, error) {
	channel := a.Config.SlackStaffChannel
	if a.Slack == nil || channel == "" {
		return nil, nil
	}
	b := a.Slack
	w, err := lagesbild.NewWeekly(lagesbild.WeeklyConfig{
		Guard: a.Store,
		Post: func(ctx context.Context, week string) error {
			return b.PostLagesbild(ctx, channel, week)
		},
		Clock:    a.clock,
		Location: a.Location,
		Log:      a.Log,
	})
	if err != nil {
		return nil, fmt.Errorf("weekly lägesbild: %w", err)
	}
	return w, nil
}

// runAlerts sends queued alerts until ctx ends; it returns at once without alerts.
func (a *App) runAlerts(ctx context.Context) {
	if a.Alerts == nil {
		return
	}
	if err := a.Alerts.Run(ctx); err != nil {
		a.Log.Error("grannsamverkan: the alert sender stopped", "error", err.Error())
	}
}
