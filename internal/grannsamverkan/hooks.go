package grannsamverkan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
)

// smsChannel is bot.Message.Channel of an SMS: only a sender with a number can join.
const smsChannel = "sms"

// Prepare tells the engine, before a turn, what the host knows: the area of a valid, unused
// invite code in an SMS (and keeps the code under the resident's scope until their JA),
// whether the resident holds such an invite from an earlier OMBUD message (so that JA is
// answered with the registration only when it can go through, and with how to try again
// when the hold ran out or the code was used meanwhile), and the areas with active ombud.
// An error leaves the message as far as it got and the turn goes on.
//
// Only a yes (Config.IsYes) is checked for a held invite: one store read more, two when
// there is a hold; every other message costs no read for it.
func (s *Service) Prepare(ctx context.Context, scope string, msg *bot.Message) error {
	return s.prepare(ctx, scope, msg, true)
}

// Name names the feature.
func (s *Service) Name() string { return "grannsamverkan" }

// Before is Prepare as a conversation.Feature. A preview (/trygg fråga) is told the area
// of an invite code as a resident would be, and nothing is held for it: it writes nothing.
func (s *Service) Before(ctx context.Context, in conversation.Inbound, msg *bot.Message) error {
	return s.prepare(ctx, in.Scope, msg, !in.Preview && in.Scope != "")
}

// After is AfterTurn as a conversation.Feature: for an answered SMS turn, with the
// sender's number (Inbound.Address).
func (s *Service) After(ctx context.Context, in conversation.Inbound, o conversation.Outcome) error {
	if in.Channel != smsChannel || in.Address == "" || o.Degraded || len(o.Events) == 0 {
		return nil
	}
	return s.AfterTurn(ctx, in.Address, in.Scope, o.Events)
}

// prepare is Prepare; with hold false it keeps no invite for the resident's JA.
func (s *Service) prepare(ctx context.Context, scope string, msg *bot.Message, hold bool) error {
	var errs []error
	if msg.Channel == smsChannel {
		if code := FindCode(msg.Text); code != "" {
			inv, ok, err := s.lookupInvite(ctx, code)
			switch {
			case err != nil:
				errs = append(errs, err)
			case ok && !hold:
				msg.Invite = inv.Area
			case ok:
				p, _ := json.Marshal(pending{Code: inv.Code, Area: inv.Area})
				if err := s.cfg.Records.Put(ctx, scope, pendingKey, p, PendingTTL); err != nil {
					errs = append(errs, wrap("keep pending invite", err))
				} else {
					msg.Invite = inv.Area
				}
			}
		}
		if hold && (s.cfg.IsYes == nil || s.cfg.IsYes(msg.Text)) {
			if _, held, err := s.held(ctx, scope); err != nil {
				errs = append(errs, err)
			} else {
				msg.InviteHeld = held
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

// held returns the invite kept under scope for the resident's JA and whether it is still
// valid: kept (the hold lasts PendingTTL), known, for the same area, unexpired and unused.
func (s *Service) held(ctx context.Context, scope string) (Invite, bool, error) {
	raw, ok, err := s.cfg.Records.Get(ctx, scope, pendingKey)
	if err != nil || !ok {
		return Invite{}, false, wrap("read pending invite", err)
	}
	var p pending
	if err := json.Unmarshal(raw, &p); err != nil {
		return Invite{}, false, fmt.Errorf("grannsamverkan: pending invite unreadable: %w", err)
	}
	inv, valid, err := s.lookupInvite(ctx, p.Code)
	if err != nil {
		return Invite{}, false, err
	}
	return inv, valid && inv.Area == p.Area, nil
}

// AfterTurn acts on the Grannsamverkan events of an SMS turn of the sender with number
// from and scope: EventOmbudJoin registers them with the invite of their OMBUD message
// (used once, across replicas), EventOmbudLeave and EventErase (STOPP) remove them. The SMS
// channel calls it after each turn; the number is used here and never kept in plain text.
//
// The engine emits EventOmbudJoin, and tells the resident they joined, only when Prepare
// found their invite still held and valid. If the registration still fails (another
// resident used the code in between, the hold ran out, the store failed), the resident
// is sent Config.NotRegistered in the background, in the language of the turn, so that
// nobody believes they get alerts when they do not.
func (s *Service) AfterTurn(ctx context.Context, from, scope string, events []bot.Event) error {
	var errs []error
	for _, e := range events {
		switch e.Kind {
		case bot.EventOmbudJoin:
			registered, err := s.join(ctx, from, scope)
			if err != nil {
				errs = append(errs, err)
			}
			if !registered {
				s.correct(ctx, from, e.Lang)
			}
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

// correct sends the resident with number to, who was told they joined, that they did not,
// in lang. It runs in the background: the reply of the turn goes out first and is not held
// up by the send (Wait waits for it).
func (s *Service) correct(ctx context.Context, to, lang string) {
	if s.cfg.NotRegistered == nil {
		s.cfg.Log.Error("grannsamverkan: JA answered as registered but not registered; no way to tell the resident")
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), correctTimeout)
		defer cancel()
		if err := s.cfg.NotRegistered(ctx, to, lang); err != nil {
			s.cfg.Log.Error("grannsamverkan: not-registered notice not sent", "error", err.Error())
			return
		}
		s.cfg.Log.Info("grannsamverkan: not-registered notice sent")
	}()
}

// Wait blocks until the notices sent in the background so far are done.
func (s *Service) Wait() { s.wg.Wait() }

// join registers the sender with the invite their OMBUD message held. registered is false
// when they are not in the register afterwards: the hold ran out, the invite is no longer
// valid or was just used by someone else (a lost race), or the store failed first.
func (s *Service) join(ctx context.Context, from, scope string) (registered bool, err error) {
	inv, held, err := s.held(ctx, scope)
	if err != nil {
		return false, err
	}
	if !held {
		s.cfg.Log.Info("grannsamverkan: no valid invite held at JA (expired or used); not registered")
		return false, s.cfg.Records.Delete(ctx, scope, pendingKey)
	}
	if _, used, err := s.cfg.Guard.Remember(ctx, inviteUsedScope, inv.Code, []byte(scope), inviteKeep); err != nil {
		return false, wrap("use invite", err)
	} else if used {
		s.cfg.Log.Info("grannsamverkan: invite already used; not registered")
		return false, s.cfg.Records.Delete(ctx, scope, pendingKey)
	}
	inv.Used = true
	if v, err := json.Marshal(inv); err == nil {
		if err := s.cfg.Records.Put(ctx, invitesScope, inv.Code, v, inviteKeep); err != nil {
			s.cfg.Log.Warn("grannsamverkan: invite not marked used (the guard holds)", "error", err.Error())
		}
	}
	if _, err := s.register(ctx, inv.Area, from); err != nil {
		return false, err
	}
	s.cfg.Log.Info("grannsamverkan: ombud joined")
	return true, s.cfg.Records.Delete(ctx, scope, pendingKey)
}
