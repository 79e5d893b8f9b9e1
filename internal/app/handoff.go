package app

import (
	"context"
	"fmt"

	"github.com/vasteras/trygg/internal/config"
	"github.com/vasteras/trygg/internal/handoff"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/web"
)

// handoffObserver is what the channels tell of each turn (sms.Observer, web.Observer).
type handoffObserver interface {
	Observe(ctx context.Context, t handoff.Turn)
}

// HandoffPossible reports whether cfg lets trygg hand a conversation to staff: Slack and
// SLACK_STAFF_CHANNEL are set, and when SMS is on it can text residents back (TWILIO_FROM
// or TWILIO_MESSAGING_SERVICE_SID). TRYGG_STAFFED_HOURS then says when.
func HandoffPossible(cfg config.Config) bool {
	if !cfg.SlackEnabled() || cfg.SlackStaffChannel == "" {
		return false
	}
	return !cfg.SMSEnabled() || cfg.TwilioFrom != "" || cfg.TwilioMessagingServiceSID != ""
}

// newHandoff builds the handoff service when it is possible; Slack must be built first.
func (a *App) newHandoff() error {
	rec, ok := a.Store.(store.Records)
	if !HandoffPossible(a.Config) || a.Slack == nil || !ok {
		if !a.Config.StaffedHours.IsZero() {
			a.Log.Info("handoff: off (needs SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_STAFF_CHANNEL and, with SMS, TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID); residents asking for a person get the numbers")
		}
		return nil
	}
	h, err := handoff.New(handoff.Config{
		Conversations: a.Service,
		Store:         a.Store,
		Records:       rec,
		Key:           a.Hasher.Key("handoff-phone"),
		Staff:         a.Slack,
		Channel:       a.Config.SlackStaffChannel,
		Outboxes: map[string]handoff.Outbox{
			"sms": handoff.SMS{Texter: smsTexter{a}},
			"web": handoff.Inbox{Records: rec, TTL: a.Config.ConversationTTL, Now: a.now},
		},
		Wait: a.Config.HandoffWait,
		// Outside staffed hours a resident waiting on staff gets the numbers at once.
		Staffed: a.Config.StaffedHours.Open,
		TTL:     a.Config.ConversationTTL,
		Clock:   a.clock,
		Log:     a.Log,
	})
	if err != nil {
		return fmt.Errorf("handoff: %w", err)
	}
	a.Handoff, a.handoffObserver = h, h
	a.Slack.SetHandoff(h, a.Config.SlackStaffChannel, a.Config.HandoffWait, a.Config.ConversationTTL)
	a.Log.Info("handoff: on", "staffed_hours", a.Config.StaffedHours.String(), "wait", a.Config.HandoffWait)
	return nil
}

// webInbox is where staff replies wait for the web chat, or nil without handoffs.
func (a *App) webInbox() web.Inbox {
	rec, ok := a.Store.(store.Records)
	if a.Handoff == nil || !ok {
		return nil
	}
	return handoff.Inbox{Records: rec}
}

// smsTexter sends through the SMS channel's REST sender, built after the handoff service.
type smsTexter struct{ a *App }

func (t smsTexter) Send(ctx context.Context, to, body string) (string, error) {
	if t.a.SMSSender == nil {
		return "", fmt.Errorf("sms: no sender (TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID)")
	}
	return t.a.SMSSender.Send(ctx, to, body)
}
