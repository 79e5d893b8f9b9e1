package sms

import (
	"github.com/vasteras/trygg/internal/conversation"
	"net/http"
)

// statuses are the message statuses Twilio reports; anything else is counted as "other".
var statuses = map[string]bool{
	"accepted": true, "scheduled": true, "canceled": true, "queued": true, "sending": true,
	"sent": true, "failed": true, "delivered": true, "undelivered": true, "receiving": true,
	"received": true, "read": true, "partially_delivered": true,
}

// ServeStatus counts Twilio's status callbacks for messages trygg sent, by status and error
// code. Callbacks may arrive out of order; they are only counted, nothing is stored.
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
	h.cfg.Metrics.SMSStatus.WithLabelValues(status, errorCode(params["ErrorCode"])).Inc()
	if status == "failed" || status == "undelivered" {
		h.cfg.Service.Tally().Add(conversation.Day(h.cfg.Now()), CounterStatusPrefix+status, 1)
	}
	h.status(r.Context(), params["MessageSid"], status, params["ErrorCode"])
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
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
