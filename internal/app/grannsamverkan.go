package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/grannsamverkan"
	"github.com/vasteras/trygg/internal/sms"
	"github.com/vasteras/trygg/internal/store"
)

// openGrannsamverkan builds the ombud register on the conversation store's records (shared
// by the replicas when the store is Redis); nil when the store keeps no records.
func (a *App) openGrannsamverkan() error {
	rec, ok := a.Store.(store.Records)
	if !ok {
		a.Log.Info("grannsamverkan: off (the store keeps no records)")
		return nil
	}
	gs, err := grannsamverkan.New(grannsamverkan.Config{
		Records: rec, Guard: a.Store, Hasher: a.Hasher, Areas: a.Flows.Areas, Now: a.now, Log: a.Log,
		// A JA that lost its invite at the last moment is corrected by SMS, through the
		// REST sender (built later, with the SMS channel).
		IsYes: func(text string) bool { return a.Engine.Says(text, "yes") },
		NotRegistered: func(ctx context.Context, to, lang string) error {
			_, err := smsTexter{a}.Send(ctx, to, a.Engine.OmbudNotRegistered(lang).Text)
			return err
		},
	})
	if err != nil {
		return fmt.Errorf("grannsamverkan: %w", err)
	}
	a.Grannsamverkan = gs
	return nil
}

// prepareTurn is the conversation's Prepare hook: Grannsamverkan's facts, when it is on.
func (a *App) prepareTurn() func(context.Context, string, *bot.Message) error {
	if a.Grannsamverkan == nil {
		return nil
	}
	return a.Grannsamverkan.Prepare
}

// smsHooks are the SMS channel's hooks into Grannsamverkan: the sender's number for joining
// and leaving, and status callbacks for the alerts' delivery counts.
func (a *App) smsHooks() sms.Hooks {
	if a.Grannsamverkan == nil {
		return sms.Hooks{}
	}
	return sms.Hooks{
		AfterTurn: func(ctx context.Context, from, scope string, o conversation.Outcome) error {
			return a.Grannsamverkan.AfterTurn(ctx, from, scope, o.Events)
		},
		Status: func(ctx context.Context, sid, status, code string) error {
			if a.Alerts == nil {
				return nil
			}
			return a.Alerts.Status(ctx, sid, status, code)
		},
	}
}

// openAlerts builds the area alerts when Grannsamverkan and the REST sender are on.
func (a *App) openAlerts() error {
	rec, ok := a.Store.(store.Records)
	if a.Grannsamverkan == nil || a.SMSSender == nil || !ok {
		return nil
	}
	al, err := grannsamverkan.NewAlerts(grannsamverkan.AlertsConfig{
		Service:  a.Grannsamverkan,
		Records:  rec,
		Guard:    a.Store,
		Send:     a.SMSSender.Send,
		OptedOut: func(err error) bool { return errors.Is(err, sms.ErrOptedOut) },
		Card: func(ctx context.Context, al grannsamverkan.Alert, c grannsamverkan.Counts) error {
			if a.Slack == nil {
				return nil
			}
			return a.Slack.UpdateAlertCard(ctx, al, c)
		},
		Clock: a.clock,
		Log:   a.Log,
	})
	if err != nil {
		return fmt.Errorf("grannsamverkan alerts: %w", err)
	}
	a.Alerts = al
	return nil
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
