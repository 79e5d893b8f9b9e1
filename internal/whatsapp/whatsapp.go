// Package whatsapp is trygg's WhatsApp channel through Twilio: the webhook Twilio calls for
// every incoming WhatsApp message (POST /twilio/whatsapp), and the outbox that sends what
// trygg starts itself (staff replies in a handoff, the handoff's closing message, the
// waiting notice), within WhatsApp's 24-hour window or as an approved template outside it.
//
// Twilio delivers WhatsApp messages with the same form webhook and the same
// X-Twilio-Signature as SMS, so the webhook is internal/sms's handler with a Variant: the
// same signature, account, country, dedupe, limit and fail-safe code, under a channel of
// its own ("whatsapp"), so a WhatsApp sender and an SMS sender with the same number are two
// conversations. What differs is here: From is "whatsapp:+46…" (and WaId, when sent, must
// be the same number); a tapped button's ButtonText is read when there is no Body; a
// picture, voice note or other file (NumMedia) is never fetched, and the engine asks for
// words; replies longer than MaxMessage are cut at paragraph, line or word boundaries,
// never inside a phone number.
//
// The 24-hour window: each message a resident sends opens it (Twilio counts from the last
// one). The channel keeps, in the resident's records, when they last wrote and in which
// language; nothing else. A message trygg starts itself goes as free text while the window
// is open (less Margin), else it is held in the resident's records and, once per closed
// window, the approved template for their language (TWILIO_WA_TEMPLATE_<LANG>) asks them
// to reply; their reply gets the held messages first. Without a template, staff are told
// the window is closed. Twilio's 63016 (outside the window), whether it comes from the
// send or later in a status callback, is handled the same way; an opted-out or blocked
// recipient (21610, 63014) is told to staff.
//
// What is stored: the pseudonym-scoped records above (erased by STOPP/RADERA with
// everything else). ProfileName is never read; media URLs are never read, fetched, stored
// or logged; a number is never logged.
package whatsapp

import (
	"errors"
	"log/slog"
	"time"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/sms"
)

// Routes and names.
const (
	// Path is the webhook Twilio calls for each incoming WhatsApp message.
	Path = "/twilio/whatsapp"
	// Channel is the channel's name: the conversation's, the pseudonym's and the metrics'.
	Channel = metrics.ChannelWhatsApp
	// Prefix starts every WhatsApp address at Twilio.
	Prefix = sms.WhatsAppPrefix
)

// Limits of WhatsApp.
const (
	// MaxMessage is the most characters Twilio sends in one WhatsApp message; a longer
	// reply is cut into several.
	MaxMessage = 1600
	// Window is WhatsApp's customer service window: free text may be sent for 24 hours
	// after the resident's last message.
	Window = 24 * time.Hour
	// DefaultMargin is how long before the window closes trygg stops sending free text:
	// a message queued at 23:59 must not reach WhatsApp after 24:00.
	DefaultMargin = 5 * time.Minute
)

// Twilio's error codes the channel acts on.
const (
	// CodeOutsideWindow is 63016: free text outside the 24-hour window.
	CodeOutsideWindow = 63016
	// CodeBlocked is 63014: the recipient blocked the sender or withdrew consent.
	CodeBlocked = 63014
	// CodeOptedOut is 21610: the recipient opted out (STOP, Advanced Opt-Out).
	CodeOptedOut = sms.CodeOptedOut
)

// Why a message did not reach the resident now (Undelivered.Reason), as staff are told in
// the case's thread.
const (
	// ReasonTemplate: the window is closed; the template asked the resident to reply and
	// the message is held for them.
	ReasonTemplate = "window_template"
	// ReasonAsked: the window is closed and the resident was asked to reply already; the
	// message is held with the earlier ones.
	ReasonAsked = "window_asked"
	// ReasonClosed: the window is closed and no template could be sent (none configured
	// for the language, or Twilio refused it); the message is held in case the resident
	// writes again.
	ReasonClosed = "window_closed"
	// ReasonOptedOut: the resident opted out of or blocked messages from trygg's sender.
	ReasonOptedOut = "opted_out"
)

// Undelivered is the error Deliver returns for a message that did not reach the resident
// now, with why (Reason*) for staff. Held tells that the message is kept for the
// resident and goes out with the reply to their next message.
type Undelivered struct {
	Reason string
	held   bool
	err    error
}

// Error says why, without personal data.
func (u *Undelivered) Error() string {
	if u.err != nil {
		return "whatsapp: not delivered now (" + u.Reason + "): " + u.err.Error()
	}
	return "whatsapp: not delivered now (" + u.Reason + ")"
}

// Unwrap gives access to Twilio's error, if any.
func (u *Undelivered) Unwrap() error { return u.err }

// UndeliveredReason is why, for staff (Reason*).
func (u *Undelivered) UndeliveredReason() string { return u.Reason }

// Held reports whether the message is kept for the resident's next message.
func (u *Undelivered) Held() bool { return u.held }

// Deps are the parts of trygg the channel works with, as for SMS, and where the sender's
// failures found later (status callbacks) are told.
type Deps = sms.Deps

// errConfig is a configuration without the WhatsApp channel.
var errConfig = errors.New("whatsapp: TWILIO_WHATSAPP_FROM and the Twilio credentials are needed")

// discard is a logger that drops everything.
func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// validConfig checks that cfg configures the channel.
func validConfig(cfg config.Config) error {
	if !cfg.WhatsAppEnabled() {
		return errConfig
	}
	return nil
}
