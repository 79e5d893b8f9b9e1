package sms

import (
	"context"
	"fmt"
	"log/slog"
)

// Hooks let other parts of trygg act on what only the SMS channel sees: the status
// callbacks of messages trygg sent. A hook runs on the request's goroutine within its
// deadline; an error is logged and never changes the answer. (What a turn does is for the
// conversation's features: see conversation.Feature.)
type Hooks struct {
	// Status is told of each status callback that is counted: the MessageSid, the status
	// as counted ("delivered", "failed", …) and Twilio's error code ("" for none). A repeat
	// of a status, and a final status after another one, are not passed on (ServeStatus).
	Status func(ctx context.Context, sid, status, code string) error
	// Delivery is told of the same callbacks as Status, with the address the message went
	// to (To), for a channel that acts on a failure itself (WhatsApp's 63016: hold the
	// message and send a template). The address goes no further than the hook.
	Delivery func(ctx context.Context, sid, status, code, to string) error
}

// status runs the Status and Delivery hooks for a callback of a valid MessageSid.
func (h *Handler) status(ctx context.Context, sid, status, code, to string) {
	if !validSID(sid) {
		return
	}
	if h.cfg.Hooks.Status != nil {
		if err := h.hook(func() error { return h.cfg.Hooks.Status(ctx, sid, status, code) }); err != nil {
			h.cfg.Log.LogAttrs(ctx, slog.LevelError, "sms: status hook failed", slog.String("error", err.Error()))
		}
	}
	if h.cfg.Hooks.Delivery != nil {
		if err := h.hook(func() error { return h.cfg.Hooks.Delivery(ctx, sid, status, code, to) }); err != nil {
			h.cfg.Log.LogAttrs(ctx, slog.LevelError, "sms: delivery hook failed", slog.String("error", err.Error()))
		}
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
