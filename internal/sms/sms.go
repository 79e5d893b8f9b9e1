// Package sms is trygg's SMS channel through Twilio: the webhook Twilio calls for every
// incoming SMS (POST /twilio/sms), the status callbacks for messages trygg sent
// (POST /twilio/status), and the REST sender for messages trygg starts itself.
//
// An incoming SMS goes through, in order: the method, content type, size and form checks;
// Twilio's signature (twilio-go's RequestValidator) over the URL Twilio called and every
// posted parameter; the account (AccountSid must be trygg's) and the sender (an E.164
// number of a country trygg serves), else empty TwiML; the sender's phone number turned
// into a pseudonym at once; the
// processed-once check on MessageSid; the per-sender and global limits; one conversation
// turn; the replies as TwiML. The phone number goes no further than the pseudonym: it is
// never logged, never stored and never part of an error.
//
// The channel never answers Twilio with a 5xx, which would leave the resident with nothing:
// when the store or the engine fails or is slow, the resident gets the static safety reply
// (112, both Brottsofferjouren numbers with the age rule, 116 006) within ReplyWithin.
package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/gsm7"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/pseudonym"
	"github.com/vasteras/trygg/internal/store"
)

// Routes Twilio calls.
const (
	// InboundPath is the messaging webhook: one POST per incoming SMS or MMS.
	InboundPath = "/twilio/sms"
	// StatusPath receives status callbacks for messages trygg sent.
	StatusPath = "/twilio/status"
)

// Limits and defaults of the channel.
const (
	// MaxBody is the largest webhook body accepted, 64 KiB; a larger one gets 413.
	MaxBody = 64 << 10
	// PseudonymChannel is the channel name senders are pseudonymised under.
	PseudonymChannel = "sms"
	// DedupeTTL is how long the reply to a MessageSid is remembered, so that a repeated
	// delivery gets the same answer without a second turn.
	DedupeTTL = 24 * time.Hour
	// DefaultReplyWithin bounds how long an answer to Twilio may take. Twilio waits 15 s;
	// trygg promises the resident an answer, at worst the safety reply, within 2 s.
	DefaultReplyWithin = 2 * time.Second
	// DefaultStoreTimeout bounds each of the channel's own store steps (the processed-once
	// and rate-limit checks before the turn, remembering the reply after it).
	DefaultStoreTimeout = 200 * time.Millisecond
)

// Config holds what a Handler needs.
type Config struct {
	// AccountSID is trygg's Twilio account (TWILIO_ACCOUNT_SID): a webhook for another
	// account gets no answer.
	AccountSID string
	// AuthToken is the Twilio auth token that signs the webhooks (TWILIO_AUTH_TOKEN).
	AuthToken string
	// Countries are the calling codes whose E.164 numbers are answered
	// (TRYGG_SMS_COUNTRIES); nil means config.DefaultSMSCountries.
	Countries []string
	// PublicURL is the base URL Twilio calls, without a trailing slash (TRYGG_PUBLIC_URL);
	// "" derives it from each request (X-Forwarded-Proto or TLS, and the Host header).
	PublicURL string
	// Service runs the conversation turns.
	Service *conversation.Service
	// Store remembers replies by MessageSid and counts the rate-limit windows.
	Store store.Store
	// Hasher pseudonymises senders.
	Hasher *pseudonym.Hasher
	// Metrics receives the channel's counters.
	Metrics *metrics.Metrics
	// SenderLimit and GlobalLimit bound incoming messages per sender and for all senders.
	SenderLimit, GlobalLimit config.Limit
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives errors and refusals, never personal data; nil discards.
	Log *slog.Logger
	// ReplyWithin bounds an answer; 0 means DefaultReplyWithin.
	ReplyWithin time.Duration
	// StoreTimeout bounds each of the channel's own store steps; 0 means
	// DefaultStoreTimeout.
	StoreTimeout time.Duration
	// Sleep waits d or until ctx ends; nil uses a timer. It is how a repeated delivery
	// waits for the first one on another replica to finish; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Hooks are told of status callbacks (Grannsamverkan's alert cards); zero: none.
	Hooks Hooks
	// Variant makes the handler another Twilio messaging channel (WhatsApp); zero: SMS.
	Variant Variant
}

// Handler serves Twilio's webhooks. It is safe for concurrent use.
type Handler struct {
	cfg       Config
	name      string // the channel's name (Variant.Name)
	path      string // the webhook's route
	keys      keys
	validator client.RequestValidator
	engine    *bot.Engine
	flights   flights
	rendered  renderer
	count     counters

	// Canned answers, rendered once: the safety reply and the rate-limit notice in each
	// language, and the empty answer.
	safe    map[string]answer
	limited map[string]answer
	empty   answer
}

// answer is a rendered TwiML document and what its messages cost.
type answer struct {
	body  []byte
	infos []gsm7.Info
}

// New returns a Handler. It checks that cfg has what the channel needs and renders the
// canned answers, so they cannot fail when they are needed.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.AuthToken == "":
		return nil, errors.New("sms: no auth token")
	case cfg.Variant.name() != PseudonymChannel && cfg.Variant.path() == InboundPath:
		return nil, errors.New("sms: a variant needs its own Path")
	case cfg.AccountSID == "":
		return nil, errors.New("sms: no account SID")
	case cfg.Service == nil || cfg.Store == nil || cfg.Hasher == nil || cfg.Metrics == nil:
		return nil, errors.New("sms: Service, Store, Hasher and Metrics are required")
	case cfg.SenderLimit.N < 1 || cfg.SenderLimit.Per <= 0 || cfg.GlobalLimit.N < 1 || cfg.GlobalLimit.Per <= 0:
		return nil, errors.New("sms: SenderLimit and GlobalLimit must allow at least one message in a positive window")
	}
	if cfg.Countries == nil {
		cc, err := config.ParseCountries(config.DefaultSMSCountries)
		if err != nil {
			return nil, fmt.Errorf("sms: default countries: %w", err)
		}
		cfg.Countries = cc
	}
	for _, cc := range cfg.Countries {
		if _, err := config.ParseCountries(cc); err != nil || strings.Contains(cc, ",") {
			return nil, fmt.Errorf("sms: country calling code %q: not 1 to 3 digits", cc)
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.ReplyWithin <= 0 {
		cfg.ReplyWithin = DefaultReplyWithin
	}
	if cfg.StoreTimeout <= 0 {
		cfg.StoreTimeout = DefaultStoreTimeout
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	h := &Handler{
		cfg:       cfg,
		name:      cfg.Variant.name(),
		path:      cfg.Variant.path(),
		keys:      keysFor(cfg.Variant.name()),
		validator: client.NewRequestValidator(cfg.AuthToken),
		engine:    cfg.Service.Engine(),
		flights:   flights{m: map[string]*flight{}},
		rendered:  renderer{done: map[string]answer{}, split: cfg.Variant.Split},
		count:     newCounters(cfg.Metrics, cfg.Variant.name()),
		safe:      map[string]answer{},
		limited:   map[string]answer{},
	}
	var err error
	if h.empty, err = render(nil); err != nil {
		return nil, err
	}
	split := cfg.Variant.Split
	for _, lang := range h.engine.Langs() {
		if h.safe[lang], err = renderSplit([]bot.Reply{h.engine.Safe(lang)}, split); err != nil {
			return nil, fmt.Errorf("sms: safety reply in %s: %w", lang, err)
		}
		if h.limited[lang], err = renderSplit([]bot.Reply{h.engine.RateLimited(lang)}, split); err != nil {
			return nil, fmt.Errorf("sms: rate-limit notice in %s: %w", lang, err)
		}
	}
	return h, nil
}

// Mux is where routes are mounted; *server.Server and *http.ServeMux are ones.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Mount adds the webhook and, for SMS, the status callback to mux (a Variant mounts only
// its webhook: the status callbacks of every channel come to the SMS handler's
// StatusPath). The patterns carry no method, so that the channel itself answers other
// methods with 405 and counts them.
func (h *Handler) Mount(mux Mux) {
	mux.Handle(h.path, http.HandlerFunc(h.ServeInbound))
	if h.cfg.Variant.isSMS() {
		mux.Handle(StatusPath, http.HandlerFunc(h.ServeStatus))
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Counters the channel adds to the daily statistics (store.Stats), as /trygg statistik
// reads them: the segments of the replies sent, and the messages Twilio reported failed or
// undelivered ("sms_status:failed", "sms_status:undelivered").
const (
	CounterSegments     = "sms_segments"
	CounterStatusPrefix = "sms_status:"
	// CounterWhatsAppStatusPrefix is CounterStatusPrefix for WhatsApp messages.
	CounterWhatsAppStatusPrefix = "whatsapp_status:"
)

// WhatsAppPrefix starts every WhatsApp address at Twilio ("whatsapp:+46…"): a status
// callback for a message to such an address is WhatsApp's.
const WhatsAppPrefix = "whatsapp:"
