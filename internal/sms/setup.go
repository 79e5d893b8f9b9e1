package sms

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/store"
)

// Deps are the parts of trygg the channel works with.
type Deps struct {
	Service *conversation.Service
	Store   store.Store
	Hasher  *pseudonym.Hasher
	Metrics *metrics.Metrics
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives the channel's errors, never personal data; nil discards.
	Log *slog.Logger
	// Transport carries the sender's requests to Twilio; nil: http.DefaultTransport (tests
	// point it at a fake).
	Transport http.RoundTripper
	// Hooks are told of status callbacks; zero: none.
	Hooks Hooks
}

// FromConfig builds the channel's webhook handler from trygg's configuration.
// cfg.SMSEnabled() must hold.
func FromConfig(cfg config.Config, d Deps) (*Handler, error) {
	return New(ConfigFrom(cfg, d))
}

// ConfigFrom is the webhook's Config from trygg's configuration and d: the Twilio account,
// countries, public URL and limits, with the zero (SMS) Variant. Another channel on the same
// webhook (WhatsApp) sets its own Variant on it.
func ConfigFrom(cfg config.Config, d Deps) Config {
	return Config{
		AccountSID:  cfg.TwilioAccountSID,
		AuthToken:   cfg.TwilioAuthToken,
		Countries:   cfg.SMSCountries,
		PublicURL:   cfg.PublicURL,
		Service:     d.Service,
		Store:       d.Store,
		Hasher:      d.Hasher,
		Metrics:     d.Metrics,
		SenderLimit: cfg.SMSSenderLimit,
		GlobalLimit: cfg.SMSGlobalLimit,
		Now:         d.Now,
		Log:         d.Log,
		Hooks:       d.Hooks,
	}
}

// SenderFromConfig builds the REST sender from trygg's configuration when TWILIO_FROM or
// TWILIO_MESSAGING_SERVICE_SID is set, else nil. Its status callback is TRYGG_PUBLIC_URL +
// StatusPath; without TRYGG_PUBLIC_URL it asks for none. The sender is an outbox: the
// handoff service and the Grannsamverkan alerts are built on it before the webhook
// handler. cfg.SMSEnabled() must hold.
func SenderFromConfig(cfg config.Config, d Deps) (*Sender, error) {
	if cfg.TwilioFrom == "" && cfg.TwilioMessagingServiceSID == "" {
		return nil, nil
	}
	callback := ""
	if cfg.PublicURL != "" {
		callback = cfg.PublicURL + StatusPath
	}
	return NewSender(SenderConfig{
		AccountSID:          cfg.TwilioAccountSID,
		AuthToken:           cfg.TwilioAuthToken,
		From:                cfg.TwilioFrom,
		MessagingServiceSID: cfg.TwilioMessagingServiceSID,
		StatusCallback:      callback,
		PerSecond:           cfg.SMSPerSecond,
		Transport:           d.Transport,
		Now:                 d.Now,
		Metrics:             d.Metrics,
		Log:                 d.Log,
	})
}
