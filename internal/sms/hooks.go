package sms

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
)

// Hooks let other parts of trygg act on what only the SMS channel sees. Both run on the
// request's goroutine within its deadline; an error is logged and never changes the answer.
type Hooks struct {
	// AfterTurn is told of each answered turn with the sender's number: the SMS channel is
	// the only place that has it (Grannsamverkan registers an ombud with it on
	// EventOmbudJoin and removes them on EventOmbudLeave and EventErase). A hook must not
	// log or store the number in plain text.
	AfterTurn func(ctx context.Context, from, scope string, o conversation.Outcome) error
	// Status is told of each status callback that is counted: the MessageSid, the status
	// as counted ("delivered", "failed", …) and Twilio's error code ("" for none). A repeat
	// of a status, and a final status after another one, are not passed on (ServeStatus).
	Status func(ctx context.Context, sid, status, code string) error
}

// afterTurn runs the AfterTurn hook for a turn that was not degraded.
func (h *Handler) afterTurn(ctx context.Context, from, scope string, o conversation.Outcome) {
	if h.cfg.Hooks.AfterTurn == nil || o.Degraded || len(o.Events) == 0 {
		return
	}
	if err := h.hook(func() error { return h.cfg.Hooks.AfterTurn(ctx, from, scope, o) }); err != nil {
		h.failed(ctx, metrics.StageReply, fmt.Errorf("after-turn hook: %w", err))
	}
}

// status runs the Status hook for a callback of a valid MessageSid.
func (h *Handler) status(ctx context.Context, sid, status, code string) {
	if h.cfg.Hooks.Status == nil || !validSID(sid) {
		return
	}
	if err := h.hook(func() error { return h.cfg.Hooks.Status(ctx, sid, status, code) }); err != nil {
		h.cfg.Log.LogAttrs(ctx, slog.LevelError, "sms: status hook failed", slog.String("error", err.Error()))
	}
}

// hook runs f, turning a panic into an error.
func (h *Handler) hook(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("hook panicked: %T", p)
		}
	}()
	return f()
}
