package slack

import (
	"context"
	"errors"
	"log/slog"
	"time"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Reconnection back-off of Socket Mode after the connection fails.
const (
	socketBackoffMin = time.Second
	socketBackoffMax = time.Minute
)

// Acker acknowledges a Socket Mode request, with a payload for slash commands and
// interactions; *socketmode.Client is one.
type Acker interface {
	Ack(req socketmode.Request, payload ...any) error
}

// RunSocketMode serves commands, events and interactions over Socket Mode until ctx ends,
// for installations Slack cannot reach over HTTP. Config.API must carry the app-level
// token (slackapi.OptionAppLevelToken). A failed connection is retried with back-off.
func (b *Bot) RunSocketMode(ctx context.Context) error {
	sm := socketmode.New(b.cfg.API, socketmode.OptionLog(slog.NewLogLogger(b.log.Handler(), slog.LevelDebug)))
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case evt := <-sm.Events:
				// Each on its own: a command may wait up to the inline wait for its answer,
				// and the events behind it must still be acknowledged in time.
				b.wg.Add(1)
				go func() {
					defer b.wg.Done()
					b.Dispatch(ctx, sm, evt)
				}()
			}
		}
	}()
	backoff := socketBackoffMin
	for {
		start := time.Now()
		err := sm.RunContext(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			err = errors.New("connection ended")
		}
		if time.Since(start) > socketBackoffMax {
			backoff = socketBackoffMin // it ran fine for a while: start over
		}
		b.log.Warn("slack: Socket Mode connection failed; retrying", "error", err.Error(), "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, socketBackoffMax)
	}
}

// Dispatch handles one Socket Mode event: the same commands, events and interactions as
// over HTTP, acknowledged through ack (the answer to a command travels with its ack).
// Connection events are only logged.
func (b *Bot) Dispatch(ctx context.Context, ack Acker, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slackapi.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		b.HandleCommand(ctx, cmd, func(msg *slackapi.WebhookMessage) {
			b.ack(ack, evt.Request, msg)
		})
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok || evt.Request == nil {
			return
		}
		if err := b.HandleEvent(ctx, ev); errors.Is(err, ErrBusy) {
			return // not acknowledged: Slack delivers it again
		}
		b.ack(ack, evt.Request, nil)
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slackapi.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		b.ack(ack, evt.Request, b.HandleInteraction(ctx, cb))
	case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello, socketmode.EventTypeDisconnect:
		b.log.Debug("slack: Socket Mode", "event", string(evt.Type))
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("slack: Socket Mode refused the tokens (check SLACK_APP_TOKEN and SLACK_BOT_TOKEN)")
	default:
		b.log.Warn("slack: Socket Mode trouble", "event", string(evt.Type))
	}
}

// ack acknowledges req, with msg as the payload when there is one.
func (b *Bot) ack(ack Acker, req *socketmode.Request, msg *slackapi.WebhookMessage) {
	var err error
	if msg == nil {
		err = ack.Ack(*req)
	} else {
		err = ack.Ack(*req, msg)
	}
	if err != nil {
		b.log.Warn("slack: Socket Mode acknowledgement failed", "error", err.Error())
	}
}
