package handoff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

func jsonMarshal(c caseRecord) ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode case: %w", err)
	}
	return b, nil
}

// Sweep ends every open case whose wait is over without a staff reply (EndedTimeout), every
// answered case that saw no message either way for the TTL (EndedExpired: the resident
// gets the closing message with the numbers while the number is still kept), tells the
// resident of an answered case whose latest messages staff left unanswered for the wait
// (the waiting notice, once per stretch; the case stays open), and forgets
// cases whose records are gone (an erased conversation). Every replica may sweep: the end
// guard lets one end a case.
func (s *Service) Sweep(ctx context.Context) error {
	all, err := s.cfg.Records.List(ctx, CasesScope)
	if err != nil {
		return fmt.Errorf("list cases: %w", err)
	}
	now := s.cfg.Clock.Now()
	var errs []error
	for code, b := range all {
		ix, err := decodeIndex(b)
		if err != nil {
			errs = append(errs, err, s.cfg.Records.Delete(ctx, CasesScope, code))
			continue
		}
		c, ok, err := s.getCase(ctx, ix.Scope)
		switch {
		case err != nil:
			errs = append(errs, err)
		case !ok:
			// The resident's records are gone (erased; they outlive the TTL otherwise): the
			// case ended with them.
			errs = append(errs, s.end(ctx, code, EndedResident, ""))
		case !c.Answered && !now.Before(c.Deadline):
			errs = append(errs, s.end(ctx, code, EndedTimeout, ""))
		case c.Answered && !now.Before(c.active().Add(s.cfg.TTL)):
			errs = append(errs, s.end(ctx, code, EndedExpired, ""))
		case c.Answered && !c.Unanswered.IsZero() && !now.Before(c.Unanswered.Add(s.cfg.Wait)):
			errs = append(errs, s.tellWaiting(ctx, ix.Scope, c, WaitedWait))
		}
	}
	return errors.Join(errs...)
}

// Run sweeps every SweepEvery on the clock until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	for {
		if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("handoff sweep failed", "error", err.Error())
		}
		if err := s.cfg.Clock.SleepUntil(ctx, s.cfg.Clock.Now().Add(s.cfg.SweepEvery)); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}
