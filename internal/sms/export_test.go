package sms

import "github.com/vasteras/trygg/internal/conversation"

// Waiting returns how many deliveries of the message (scope, sid) wait in h for the one
// being answered, so tests can line up concurrent deliveries without sleeping.
func Waiting(h *Handler, scope, sid string) int { return h.flights.waiting(scope + "/" + sid) }

// Tally returns the counters h's conversation service keeps until they are flushed.
func Tally(h *Handler) *conversation.Tally { return h.cfg.Service.Tally() }
