package grannsamverkan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vasteras/trygg/bot"
)

// smsChannel is bot.Message.Channel of an SMS: only a sender with a number can join.
const smsChannel = "sms"

// Prepare tells the engine, before a turn, what the host knows: the area of a valid, unused
// invite code in an SMS (and keeps the code under the resident's scope until their JA), and
// the areas with active ombud. It is a conversation.Config.Prepare hook: an error leaves
// the message as far as it got and the turn goes on.
func (s *Service) Prepare(ctx context.Context, scope string, msg *bot.Message) error {
	var errs []error
	if msg.Channel == smsChannel {
		if code := FindCode(msg.Text); code != "" {
			inv, ok, err := s.lookupInvite(ctx, code)
			switch {
			case err != nil:
				errs = append(errs, err)
			case ok:
				p, _ := json.Marshal(pending{Code: inv.Code, Area: inv.Area})
				if err := s.cfg.Records.Put(ctx, scope, pendingKey, p, PendingTTL); err != nil {
					errs = append(errs, wrap("keep pending invite", err))
				} else {
					msg.Invite = inv.Area
				}
			}
		}
	}
	areas, err := s.ActiveAreas(ctx)
	if err != nil {
		errs = append(errs, err)
	} else {
		msg.OmbudAreas = areas
	}
	return errors.Join(errs...)
}

// AfterTurn acts on the Grannsamverkan events of an SMS turn of the sender with number
// from and scope: EventOmbudJoin registers them with the invite of their OMBUD message
// (used once, across replicas), EventOmbudLeave and EventErase (STOPP) remove them. The SMS
// channel calls it after each turn; the number is used here and never kept in plain text.
func (s *Service) AfterTurn(ctx context.Context, from, scope string, events []bot.Event) error {
	var errs []error
	for _, e := range events {
		switch e.Kind {
		case bot.EventOmbudJoin:
			errs = append(errs, s.join(ctx, from, scope))
		case bot.EventOmbudLeave, bot.EventErase:
			if removed, err := s.RemoveNumber(ctx, from); err != nil {
				errs = append(errs, err)
			} else if removed {
				s.cfg.Log.Info("grannsamverkan: ombud left", "event", string(e.Kind))
			}
		}
	}
	return errors.Join(errs...)
}

// join registers the sender with the invite their OMBUD message held.
func (s *Service) join(ctx context.Context, from, scope string) error {
	raw, ok, err := s.cfg.Records.Get(ctx, scope, pendingKey)
	if err != nil {
		return wrap("read pending invite", err)
	}
	if !ok {
		s.cfg.Log.Warn("grannsamverkan: JA without a pending invite (expired?); not registered")
		return nil
	}
	var p pending
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("grannsamverkan: pending invite unreadable: %w", err)
	}
	inv, valid, err := s.lookupInvite(ctx, p.Code)
	if err != nil {
		return err
	}
	if !valid {
		s.cfg.Log.Info("grannsamverkan: invite no longer valid at JA; not registered")
		return s.cfg.Records.Delete(ctx, scope, pendingKey)
	}
	if _, used, err := s.cfg.Guard.Remember(ctx, inviteUsedScope, inv.Code, []byte(scope), inviteKeep); err != nil {
		return wrap("use invite", err)
	} else if used {
		s.cfg.Log.Info("grannsamverkan: invite already used; not registered")
		return s.cfg.Records.Delete(ctx, scope, pendingKey)
	}
	inv.Used = true
	if v, err := json.Marshal(inv); err == nil {
		if err := s.cfg.Records.Put(ctx, invitesScope, inv.Code, v, inviteKeep); err != nil {
			s.cfg.Log.Warn("grannsamverkan: invite not marked used (the guard holds)", "error", err.Error())
		}
	}
	_, err = s.register(ctx, inv.Area, from)
	if err != nil {
		return err
	}
	s.cfg.Log.Info("grannsamverkan: ombud joined")
	return s.cfg.Records.Delete(ctx, scope, pendingKey)
}
