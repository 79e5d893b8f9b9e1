package sms

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vasteras/trygg/internal/conversation"
	"github.com/vasteras/trygg/internal/metrics"
	"github.com/vasteras/trygg/internal/store"
)

// statuses are the message statuses Twilio reports; anything else is counted as "other".
var statuses = map[string]bool{
	"accepted": true, "scheduled": true, "canceled": true, "queued": true, "sending": true,
	"sent": true, "failed": true, "delivered": true, "undelivered": true, "receiving": true,
	"received": true, "read": true, "partially_delivered": true,
}

// finals are the statuses that settle whether a message reached the phone.
var finals = map[string]bool{"delivered": true, "undelivered": true, "failed": true}

// Status callbacks are remembered per MessageSid, so that each is counted once.
const (
	// statusScopePrefix + MessageSid is where a message's statuses are remembered: one small
	// record per message, which expires on its own (on Redis, shared by the replicas).
	statusScopePrefix = "sms-status:"
	// finalID is the id under which the message's first final status is remembered.
	finalID = "final"
	// StatusKeep is how long a message's statuses are remembered. Twilio gives up on a
	// message after its validity period (at most 10 hours), and retries a callback within
	// minutes; three days cover late delivery receipts too.
	StatusKeep = 72 * time.Hour
)

// ServeStatus counts Twilio's status callbacks for messages trygg sent, by channel (a
// message to a "whatsapp:" address is WhatsApp's, any other SMS), status and error code,
// and tells the Status hook (the alert cards' delivered/failed counts, WhatsApp's failed
// sends).
//
// Each is counted once. Twilio may send the same callback again, and callbacks may arrive
// out of order, so the channel remembers per MessageSid (store.Remember, across replicas):
//   - a status seen before for the message is a repeat: answered 204, counted nowhere;
//   - the first final status (delivered, undelivered or failed) wins: a later, different
//     final status of the same message (failed after delivered, or delivered after failed)
//     is not counted either, so a message is never counted as both delivered and failed.
//     The first is what trygg told staff already, and a later contradiction is more likely
//     a carrier's late or repeated receipt than news.
//
// When the store fails, the callback is counted as if new (a repeat during the outage may
// then count twice): better than losing a delivery.
func (h *Handler) ServeStatus(w http.ResponseWriter, r *http.Request) {
	params, ok := h.verify(w, r, StatusPath)
	if !ok {
		return
	}
	status := params["MessageStatus"]
	if status == "" {
		status = params["SmsStatus"]
	}
	if !statuses[status] {
		status = "other"
	}
	sid := params["MessageSid"]
	w.Header().Set("Cache-Control", "no-store")
	if validSID(sid) && !h.firstStatus(r.Context(), sid, status) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	channel, prefix := metrics.ChannelSMS, CounterStatusPrefix
	if strings.HasPrefix(params["To"], WhatsAppPrefix) {
		channel, prefix = metrics.ChannelWhatsApp, CounterWhatsAppStatusPrefix
	}
	h.cfg.Metrics.TwilioStatus.WithLabelValues(channel, status, errorCode(params["ErrorCode"])).Inc()
	if status == "failed" || status == "undelivered" {
		h.cfg.Service.Tally().Add(conversation.Day(h.cfg.Now()), prefix+status, 1)
	}
	h.status(r.Context(), sid, status, params["ErrorCode"], params["To"])
	w.WriteHeader(http.StatusNoContent)
}

// firstStatus reports whether status of message sid is to be counted: the first time this
// status arrives for the message and, for a final status, the first final status. One
// store round trip.
func (h *Handler) firstStatus(ctx context.Context, sid, status string) bool {
	id, value := status, []byte{1}
	if finals[status] {
		id, value = finalID, []byte(status)
	}
	got, err := guard(ctx, h.cfg.StoreTimeout, store.HonorsContext(h.cfg.Store), func(ctx context.Context) (remembered, error) {
		p, s, err := h.cfg.Store.Remember(ctx, statusScopePrefix+sid, id, value, StatusKeep)
		return remembered{p, s}, err
	})
	if err != nil {
		h.cfg.Log.LogAttrs(ctx, slog.LevelWarn, "sms: status callback not checked for repeats; counted",
			slog.String("status", status), slog.String("error", err.Error()))
		return true
	}
	if got.found && finals[status] && string(got.value) != status {
		h.cfg.Log.LogAttrs(ctx, slog.LevelInfo, "sms: a later final status differs from the first; the first stands",
			slog.String("first", string(got.value)), slog.String("later", status))
	}
	return !got.found
}

// errorCode is Twilio's error code as a label: "none" when there is none, the number when it
// is one of at most 6 digits (Twilio's codes have 5), else "other".
func errorCode(v string) string {
	if v == "" || v == "0" {
		return "none"
	}
	if len(v) > 6 {
		return "other"
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return "other"
		}
	}
	return v
}
