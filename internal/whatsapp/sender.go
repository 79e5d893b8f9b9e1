package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/store"
)

// Records of sent messages, for a failure Twilio reports later in a status callback.
const (
	// SentScope indexes the messages trygg sent as free text by MessageSid: the resident's
	// scope (a pseudonym), never a number.
	SentScope = "whatsapp-sent"
	// keySent + MessageSid holds the text of a message sent as free text, in the
	// resident's scope, so that a 63016 found later can hold it for them.
	keySent = "whatsapp:sent:"
	// SentKeep is how long a sent message is remembered: Twilio reports a WhatsApp
	// failure within minutes.
	SentKeep = time.Hour
)

// SenderConfig holds what a Sender needs.
type SenderConfig struct {
	// AccountSID and AuthToken are Twilio's credentials; From the WhatsApp sender
	// ("whatsapp:+46…", TWILIO_WHATSAPP_FROM).
	AccountSID, AuthToken, From string
	// StatusCallback is where Twilio reports delivery (TRYGG_PUBLIC_URL + sms.StatusPath);
	// "" asks for none.
	StatusCallback string
	// Templates are the Content API template SIDs by language (TWILIO_WA_TEMPLATE_<LANG>).
	// Each asks the resident to reply to read a message; its variable {{1}} is the time
	// the message was written (15:04, Location).
	Templates map[string]string
	// Records keeps the window and the held messages in the residents' scopes.
	Records store.Records
	// Keep is how long the channel's records are kept; 0: a day beyond 24 hours.
	Keep time.Duration
	// Margin is how long before the window closes free text stops; 0: DefaultMargin.
	Margin time.Duration
	// PerSecond paces sends (TRYGG_SMS_PER_SECOND); 0 does not pace.
	PerSecond float64
	// Transport carries the requests to Twilio; nil: the network (tests: a fake).
	Transport http.RoundTripper
	// Now is the clock; nil means time.Now. Location is where the template's time is
	// read; nil: UTC.
	Now      func() time.Time
	Location *time.Location
	// Undelivered is told, for a message Twilio reported failed after it was sent, the
	// resident's scope and why (Reason*, ReasonFailed): the handoff tells staff. nil:
	// nobody.
	Undelivered func(ctx context.Context, scope, reason string) error
	// Metrics receives the send counters; Log the failures, never a number or a text.
	Metrics *metrics.Metrics
	Log     *slog.Logger
}

// ReasonFailed: Twilio reported a message failed after it was sent, for another reason
// than the window or an opt-out.
const ReasonFailed = "failed"

// Sender is the WhatsApp outbox: it sends messages trygg starts itself (handoff.Outbox:
// Deliver) as free text while the resident's window is open, and otherwise holds them and
// asks the resident, with a template, to reply. It is safe for concurrent use.
type Sender struct {
	cfg  SenderConfig
	rest *sms.Sender
	w    windows
}

// NewSender returns a Sender.
func NewSender(cfg SenderConfig) (*Sender, error) {
	if cfg.Records == nil || cfg.Metrics == nil {
		return nil, errors.New("whatsapp: sender needs Records and Metrics")
	}
	if cfg.Log == nil {
		cfg.Log = discard()
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Keep <= 0 {
		cfg.Keep = keepFor(0)
	}
	rest, err := sms.NewSender(sms.SenderConfig{
		AccountSID: cfg.AccountSID, AuthToken: cfg.AuthToken, From: cfg.From,
		StatusCallback: cfg.StatusCallback, PerSecond: cfg.PerSecond, Transport: cfg.Transport,
		Now: cfg.Now, Metrics: cfg.Metrics, Log: cfg.Log, Channel: Channel,
	})
	if err != nil {
		return nil, fmt.Errorf("whatsapp: %w", err)
	}
	return &Sender{cfg: cfg, rest: rest, w: windows{records: cfg.Records, now: cfg.Now, keep: cfg.Keep, margin: cfg.Margin}}, nil
}

// SenderFromConfig builds the outbox from trygg's configuration; cfg.WhatsAppEnabled()
// must hold. Its status callback is TRYGG_PUBLIC_URL + sms.StatusPath, shared with SMS;
// without TRYGG_PUBLIC_URL it asks for none.
func SenderFromConfig(cfg config.Config, rec store.Records, d Deps, loc *time.Location, undelivered func(ctx context.Context, scope, reason string) error) (*Sender, error) {
	if err := validConfig(cfg); err != nil {
		return nil, err
	}
	callback := ""
	if cfg.PublicURL != "" {
		callback = cfg.PublicURL + sms.StatusPath
	}
	return NewSender(SenderConfig{
		AccountSID: cfg.TwilioAccountSID, AuthToken: cfg.TwilioAuthToken, From: cfg.WhatsAppFrom,
		StatusCallback: callback, Templates: cfg.WhatsAppTemplates, Records: rec,
		Keep: keepFor(cfg.ConversationTTL), PerSecond: cfg.SMSPerSecond, Transport: d.Transport,
		Now: d.Now, Location: loc, Undelivered: undelivered, Metrics: d.Metrics, Log: d.Log,
	})
}

// Deliver sends text to the resident of scope at address ("whatsapp:+46…"), cut into
// messages of MaxMessage. While their window is open it goes as free text. Outside it,
// or when Twilio answers 63016, the text is held for their next message and a template
// asks them to reply (once per closed window): Deliver then returns an *Undelivered that
// is Held, with the reason for staff. An opted-out or blocked resident gives an
// *Undelivered with ReasonOptedOut; any other failure Twilio's error.
func (s *Sender) Deliver(ctx context.Context, scope, address, text string) error {
	if address == "" {
		return errors.New("whatsapp: no address kept for this case")
	}
	parts := Split(text)
	open, lang, err := s.w.open(ctx, scope)
	if err != nil {
		return err
	}
	if !open {
		return s.hold(ctx, scope, address, lang, parts...)
	}
	for i, p := range parts {
		sid, err := s.rest.Send(ctx, address, p)
		switch code := codeOf(err); {
		case err == nil:
			s.track(ctx, scope, sid, p)
		case code == CodeOutsideWindow:
			return s.hold(ctx, scope, address, lang, parts[i:]...)
		case optedOut(err):
			return &Undelivered{Reason: ReasonOptedOut, err: err}
		default:
			return err
		}
	}
	return nil
}

// hold keeps texts for the resident and asks them, with their language's template, to
// reply; see Deliver.
func (s *Sender) hold(ctx context.Context, scope, address, lang string, texts ...string) error {
	if err := s.w.hold(ctx, scope, texts...); err != nil {
		return err
	}
	asked, err := s.w.ask(ctx, scope)
	if err != nil {
		return err
	}
	if asked {
		return &Undelivered{Reason: ReasonAsked, held: true}
	}
	content := s.template(lang)
	if content == "" {
		return errors.Join(&Undelivered{Reason: ReasonClosed, held: true}, s.w.unask(ctx, scope))
	}
	vars := map[string]string{"1": s.clock().In(s.cfg.Location).Format("15:04")}
	if _, err := s.rest.SendContent(ctx, address, content, vars); err != nil {
		reason := ReasonClosed
		if optedOut(err) {
			reason = ReasonOptedOut
		}
		return errors.Join(&Undelivered{Reason: reason, held: true, err: err}, s.w.unask(ctx, scope))
	}
	s.cfg.Log.Info("whatsapp: outside the window; template sent, message held", "lang", lang)
	return &Undelivered{Reason: ReasonTemplate, held: true}
}

// template is the template for lang, else the English one, else the Swedish one, else "".
func (s *Sender) template(lang string) string {
	for _, l := range []string{lang, "en", "sv"} {
		if t := s.cfg.Templates[l]; t != "" {
			return t
		}
	}
	return ""
}

// track remembers a free-text message, so that a 63016 found later can hold it.
func (s *Sender) track(ctx context.Context, scope, sid, text string) {
	if sid == "" {
		return
	}
	err := errors.Join(
		s.cfg.Records.Put(ctx, scope, keySent+sid, []byte(text), SentKeep),
		s.cfg.Records.Put(ctx, SentScope, sid, []byte(scope), SentKeep),
	)
	if err != nil {
		s.cfg.Log.Warn("whatsapp: sent message not remembered; a later failure will not be told", "error", err.Error())
	}
}

// Status acts on a status callback of a WhatsApp message trygg sent as free text
// (sms.Hooks.Delivery): when Twilio reports it failed or undelivered, the resident's
// records say which conversation it was, and staff are told (Undelivered); a 63016 holds
// the text for the resident and sends the template to to, as Deliver would.
func (s *Sender) Status(ctx context.Context, sid, status, code, to string) error {
	if status != "failed" && status != "undelivered" {
		return nil
	}
	b, ok, err := s.cfg.Records.Get(ctx, SentScope, sid)
	if err != nil || !ok {
		return wrap("find sent message", err)
	}
	scope := string(b)
	reason := ReasonFailed
	switch n, _ := strconv.Atoi(code); n {
	case CodeOutsideWindow:
		text, ok, err := s.cfg.Records.Get(ctx, scope, keySent+sid)
		if err != nil {
			return wrap("read sent message", err)
		}
		if ok {
			var u *Undelivered
			if err := s.hold(ctx, scope, to, "", string(text)); errors.As(err, &u) {
				reason = u.Reason
			} else if err != nil {
				return err
			}
		}
	case CodeBlocked, CodeOptedOut:
		reason = ReasonOptedOut
	}
	s.cfg.Log.Info("whatsapp: a sent message failed", "reason", reason, "code", code)
	if s.cfg.Undelivered == nil {
		return nil
	}
	return s.cfg.Undelivered(ctx, scope, reason)
}

// clock is the time now.
func (s *Sender) clock() time.Time {
	if s.cfg.Now == nil {
		return time.Now()
	}
	return s.cfg.Now()
}

// codeOf returns Twilio's error code in err, or 0.
func codeOf(err error) int {
	var se *sms.SendError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// optedOut reports whether err says the resident opted out or blocked trygg.
func optedOut(err error) bool {
	if errors.Is(err, sms.ErrOptedOut) {
		return true
	}
	c := codeOf(err)
	return c == CodeBlocked || c == CodeOptedOut
}
