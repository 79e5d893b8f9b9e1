// Package metrics holds trygg's Prometheus metrics: one registry per App, not the global
// default one, so tests and several Apps in one process do not share counters.
//
// No label ever carries personal data: no phone number, pseudonym, message id or text.
// Every label value is one of a small fixed set chosen in code, or, for Twilio's status
// callbacks, a status name or a numeric error code from a signed request, mapped to
// "other" when it is not what Twilio sends.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Label values shared by the channels, so dashboards can rely on them.
const (
	// Results of an incoming SMS (SMSIn).
	ResultAnswered    = "answered"     // a turn ran and its replies were sent
	ResultDegraded    = "degraded"     // the turn failed; the safety reply was sent
	ResultDuplicate   = "duplicate"    // a repeated MessageSid; the first reply was sent again
	ResultRateLimited = "rate_limited" // past a limit: the notice or nothing was sent
	ResultFailed      = "failed"       // the channel's own store calls failed; the safety reply was sent

	// Ways a message leaves (SMSOut, SMSSegments).
	ViaTwiML = "twiml" // inline in the webhook's answer
	ViaREST  = "rest"  // sent by trygg itself through the REST API

	// Results of an outgoing REST send (SMSSends).
	SendSent     = "sent"
	SendOptedOut = "opted_out"
	SendFailed   = "failed"

	// Limits (RateLimited).
	LimitSender = "sender"
	LimitGlobal = "global"
	// Actions past a limit (RateLimited).
	ActionNotice = "notice" // the one notice was sent
	ActionSilent = "silent" // empty TwiML, nothing sent

	// Reasons a webhook is refused (WebhookRejected); a bad signature is counted in
	// SignatureFailures instead.
	RejectMethod      = "method"
	RejectContentType = "content_type"
	RejectTooLarge    = "too_large"
	RejectBadForm     = "bad_form"
	RejectMissing     = "missing_field"

	// Stages of a failed turn (TurnFailures).
	StageAdmit = "admit" // dedupe and rate-limit store calls before the turn
	StageTurn  = "turn"  // the conversation turn (store or engine)
	StageReply = "reply" // remembering the reply for a repeated MessageSid
)

// Metrics is the registry and every collector trygg updates. Create it with New; the
// collectors are safe for concurrent use.
type Metrics struct {
	// Registry holds every collector below, plus the Go runtime and process collectors.
	Registry *prometheus.Registry

	// SMSIn counts incoming SMS with a valid signature, by result (Result*).
	SMSIn *prometheus.CounterVec
	// SMSOut counts messages sent to residents, by way (Via*) and encoding (GSM-7, UCS-2).
	SMSOut *prometheus.CounterVec
	// SMSSegments counts the SMS segments those messages cost, by way and encoding.
	SMSSegments *prometheus.CounterVec
	// SMSSends counts REST sends by final result (Send*).
	SMSSends *prometheus.CounterVec
	// SMSSendRetries counts REST attempts repeated after a 429 or 5xx.
	SMSSendRetries prometheus.Counter
	// SMSStatus counts Twilio's status callbacks by status and error code ("none" without).
	SMSStatus *prometheus.CounterVec
	// RateLimited counts messages past a limit, by limit (Limit*) and action (Action*).
	RateLimited *prometheus.CounterVec
	// SignatureFailures counts webhooks refused for a missing or wrong signature, by route.
	SignatureFailures *prometheus.CounterVec
	// WebhookRejected counts webhooks refused for other reasons (Reject*), by route.
	WebhookRejected *prometheus.CounterVec
	// TurnFailures counts turns answered with the safety reply, by channel and stage.
	TurnFailures *prometheus.CounterVec
}

// New returns Metrics with a fresh registry holding every collector.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		SMSIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_messages_in_total",
			Help: "Incoming SMS with a valid signature, by result.",
		}, []string{"result"}),
		SMSOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_messages_out_total",
			Help: "SMS sent to residents, by way (twiml, rest) and encoding (GSM-7, UCS-2).",
		}, []string{"via", "encoding"}),
		SMSSegments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_segments_out_total",
			Help: "SMS segments the messages to residents cost, by way and encoding.",
		}, []string{"via", "encoding"}),
		SMSSends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_sends_total",
			Help: "Messages trygg sent itself through Twilio's REST API, by result (sent, opted_out, failed).",
		}, []string{"result"}),
		SMSSendRetries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "trygg_sms_send_retries_total",
			Help: "REST send attempts repeated after Twilio answered 429 or 5xx.",
		}),
		SMSStatus: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_status_callbacks_total",
			Help: "Twilio status callbacks for messages trygg sent, by status and error code.",
		}, []string{"status", "error_code"}),
		RateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_rate_limited_total",
			Help: "Incoming SMS past a limit, by limit (sender, global) and action (notice, silent).",
		}, []string{"limit", "action"}),
		SignatureFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_webhook_signature_failures_total",
			Help: "Webhooks refused with 403 for a missing or wrong signature, by route.",
		}, []string{"route"}),
		WebhookRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_webhook_rejected_total",
			Help: "Webhooks refused before their signature was checked or for missing fields, by route and reason.",
		}, []string{"route", "reason"}),
		TurnFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_turn_failures_total",
			Help: "Messages answered with the safety reply because something failed, by channel and stage.",
		}, []string{"channel", "stage"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.SMSIn, m.SMSOut, m.SMSSegments, m.SMSSends, m.SMSSendRetries, m.SMSStatus,
		m.RateLimited, m.SignatureFailures, m.WebhookRejected, m.TurnFailures,
	)
	// Start the series alerts watch at zero, so a rate() sees the first failure.
	for _, r := range []string{ResultAnswered, ResultDegraded, ResultDuplicate, ResultRateLimited, ResultFailed} {
		m.SMSIn.WithLabelValues(r)
	}
	for _, r := range []string{SendSent, SendOptedOut, SendFailed} {
		m.SMSSends.WithLabelValues(r)
	}
	for _, s := range []string{StageAdmit, StageTurn, StageReply} {
		m.TurnFailures.WithLabelValues("sms", s)
	}
	return m
}

// Handler serves the registry in the Prometheus exposition format, for GET /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
