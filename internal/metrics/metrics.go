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

	// Reasons an incoming SMS with a valid signature is not answered (SMSRefused): it
	// gets empty TwiML, which sends nothing, and touches no store.
	RefuseAccount = "account" // AccountSid is not TWILIO_ACCOUNT_SID
	RefuseNumber  = "number"  // From is not an E.164 number
	RefuseCountry = "country" // From is a number of a country not in TRYGG_SMS_COUNTRIES

	// Stages of a failed turn (TurnFailures).
	StageAdmit = "admit" // dedupe and rate-limit store calls before the turn
	StageTurn  = "turn"  // the conversation turn (store or engine)
	StageReply = "reply" // remembering the reply for a repeated MessageSid

	// Channels residents write through (MessagesIn, MessagesOut, …).
	ChannelSMS      = "sms"
	ChannelWhatsApp = "whatsapp"
	ChannelWeb      = "web"
	ChannelChat     = "chat" // trygg chat in a terminal
	// ChannelOther stands in for any channel name not above, so a label never carries
	// something unexpected.
	ChannelOther = "other"

	// Limits of the web chat (WebRateLimited).
	WebLimitSession = "session" // messages of one session
	WebLimitClient  = "client"  // turns of one client (address)
	WebLimitNew     = "new"     // conversations one client starts
	WebLimitGlobal  = "global"  // turns of all clients together
	// WebLimitSessionPoll and WebLimitClientPoll count the polls for staff replies
	// (POST /chat/poll) of one session and of one client.
	WebLimitSessionPoll = "session_poll"
	WebLimitClientPoll  = "client_poll"

	// What became of a lägesbild report (LagesbildReports).
	ReportRecorded  = "recorded"  // stored
	ReportDuplicate = "duplicate" // the same place and kind again from the conversation that day
	ReportCapped    = "capped"    // past the client's reports that day

	// Results of a turn (TurnDuration).
	TurnAnswered = "answered"
	TurnDegraded = "degraded"
)

// latencyBuckets are the histogram buckets of turn and store latency, in seconds: from
// 0.5 ms (a Redis round trip on loopback) to 2.5 s (past the 1.5 s turn timeout).
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 1.5, 2.5}

// Metrics is the registry and every collector trygg updates. Create it with New; the
// collectors are safe for concurrent use.
type Metrics struct {
	// Registry holds every collector below, plus the Go runtime and process collectors.
	Registry *prometheus.Registry

	// TwilioIn counts incoming Twilio messages with a valid signature, by channel
	// (ChannelSMS, ChannelWhatsApp) and result (Result*): trygg_sms_messages_in_total, the
	// name it had before WhatsApp. SMSIn is its SMS part.
	TwilioIn *prometheus.CounterVec
	// SMSIn counts incoming SMS with a valid signature, by result (Result*).
	SMSIn *prometheus.CounterVec
	// SMSOut counts messages sent to residents, by way (Via*) and encoding (GSM-7, UCS-2).
	SMSOut *prometheus.CounterVec
	// SMSSegments counts the SMS segments those messages cost, by way and encoding.
	SMSSegments *prometheus.CounterVec
	// TwilioSends counts REST sends by channel and final result (Send*); SMSSends is its
	// SMS part.
	TwilioSends *prometheus.CounterVec
	// SMSSends counts REST sends by final result (Send*).
	SMSSends *prometheus.CounterVec
	// SMSSendRetries counts REST attempts repeated after a 429 or 5xx.
	SMSSendRetries prometheus.Counter
	// TwilioStatus counts Twilio's status callbacks by channel, status and error code
	// ("none" without); SMSStatus is its SMS part.
	TwilioStatus *prometheus.CounterVec
	// SMSStatus counts Twilio's status callbacks by status and error code ("none" without).
	SMSStatus *prometheus.CounterVec
	// TwilioLimited counts Twilio messages past a limit, by channel, limit and action;
	// RateLimited is its SMS part.
	TwilioLimited *prometheus.CounterVec
	// RateLimited counts messages past a limit, by limit (Limit*) and action (Action*).
	RateLimited *prometheus.CounterVec
	// TwilioRefused counts incoming Twilio messages with a valid signature that get no
	// answer, by channel and reason; SMSRefused is its SMS part.
	TwilioRefused *prometheus.CounterVec
	// SMSRefused counts incoming SMS with a valid signature that get no answer, by reason
	// (Refuse*): another account's, or from a number trygg does not answer.
	SMSRefused *prometheus.CounterVec
	// SignatureFailures counts webhooks refused for a missing or wrong signature, by route.
	SignatureFailures *prometheus.CounterVec
	// WebhookRejected counts webhooks refused for other reasons (Reject*), by route.
	WebhookRejected *prometheus.CounterVec
	// TurnFailures counts turns answered with the safety reply, by channel and stage.
	TurnFailures *prometheus.CounterVec

	// MessagesIn counts resident messages that reached a conversation turn, by channel.
	MessagesIn *prometheus.CounterVec
	// MessagesOut counts replies the turns gave residents, by channel.
	MessagesOut *prometheus.CounterVec
	// DegradedTurns counts turns answered with the safety reply because the store or the
	// engine failed or was too slow, by channel.
	DegradedTurns *prometheus.CounterVec
	// TurnDuration is how long conversation turns took, by channel and result
	// (answered, degraded).
	TurnDuration *prometheus.HistogramVec
	// Routes counts the routes to help residents were given (referred events), by route.
	Routes *prometheus.CounterVec
	// Conversations counts conversations started, by channel and the language of their
	// first turn.
	Conversations *prometheus.CounterVec
	// LanguageSwitches counts conversations switching language, by the new language.
	LanguageSwitches *prometheus.CounterVec
	// WebRateLimited counts web chat messages past a limit, by limit: "session", "client"
	// (turns of one client), "new" (conversations one client starts), "global"; and polls
	// for staff replies past theirs: "session_poll", "client_poll".
	WebRateLimited *prometheus.CounterVec
	// LagesbildReports counts the lägesbild reports residents finished, by channel and
	// what became of them (Report*): a rise of recorded web reports is the sign of a
	// faked hotspot.
	LagesbildReports *prometheus.CounterVec
	// StoreDuration is how long store calls took, by operation.
	StoreDuration *prometheus.HistogramVec
	// StoreErrors counts failed store calls, by operation and error class (StoreErr*).
	StoreErrors *prometheus.CounterVec
}

// New returns Metrics with a fresh registry holding every collector.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		TwilioIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_messages_in_total",
			Help: "Incoming Twilio messages (SMS, WhatsApp) with a valid signature, by channel and result.",
		}, []string{"channel", "result"}),
		SMSOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_messages_out_total",
			Help: "SMS sent to residents, by way (twiml, rest) and encoding (GSM-7, UCS-2).",
		}, []string{"via", "encoding"}),
		SMSSegments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_segments_out_total",
			Help: "SMS segments the messages to residents cost, by way and encoding.",
		}, []string{"via", "encoding"}),
		TwilioSends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_sends_total",
			Help: "Messages trygg sent itself through Twilio's REST API, by channel (sms, whatsapp) and result (sent, opted_out, failed).",
		}, []string{"channel", "result"}),
		SMSSendRetries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "trygg_sms_send_retries_total",
			Help: "REST send attempts repeated after Twilio answered 429 or 5xx.",
		}),
		TwilioStatus: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_status_callbacks_total",
			Help: "Twilio status callbacks for messages trygg sent, by channel (sms, whatsapp), status and error code.",
		}, []string{"channel", "status", "error_code"}),
		TwilioLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_rate_limited_total",
			Help: "Incoming Twilio messages past a limit, by channel (sms, whatsapp), limit (sender, global) and action (notice, silent).",
		}, []string{"channel", "limit", "action"}),
		TwilioRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_sms_refused_total",
			Help: "Incoming Twilio messages with a valid signature answered with empty TwiML and no turn, by channel and reason (account, number, country).",
		}, []string{"channel", "reason"}),
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
		MessagesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_messages_in_total",
			Help: "Resident messages that reached a conversation turn, by channel (sms, web, chat).",
		}, []string{"channel"}),
		MessagesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_messages_out_total",
			Help: "Replies conversation turns gave residents, by channel.",
		}, []string{"channel"}),
		DegradedTurns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_turns_degraded_total",
			Help: "Turns answered with the safety reply because the store or engine failed or was too slow, by channel.",
		}, []string{"channel"}),
		TurnDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trygg_turn_duration_seconds",
			Help:    "How long conversation turns took, by channel and result (answered, degraded).",
			Buckets: latencyBuckets,
		}, []string{"channel", "result"}),
		Routes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_routes_total",
			Help: "Routes to help residents were given (referred events), by route.",
		}, []string{"route"}),
		Conversations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_conversations_total",
			Help: "Conversations started, by channel and the language of their first turn.",
		}, []string{"channel", "lang"}),
		LanguageSwitches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_language_switches_total",
			Help: "Conversations that switched language, by the new language.",
		}, []string{"lang"}),
		WebRateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_web_rate_limited_total",
			Help: "Web chat messages past a limit (session, client, new, global), answered with the safety reply and no turn; polls for staff replies past theirs (session_poll, client_poll), answered 429 with the replies left queued.",
		}, []string{"limit"}),
		LagesbildReports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_lagesbild_reports_total",
			Help: "Lägesbild reports residents finished, by channel and result (recorded, duplicate, capped).",
		}, []string{"channel", "result"}),
		StoreDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "trygg_store_duration_seconds",
			Help:    "How long store calls took, by operation.",
			Buckets: latencyBuckets,
		}, []string{"op"}),
		StoreErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "trygg_store_errors_total",
			Help: "Failed store calls, by operation and error class (timeout, canceled, unavailable, conflict, other).",
		}, []string{"op", "class"}),
	}
	sms := prometheus.Labels{"channel": ChannelSMS}
	m.SMSIn, m.SMSSends = m.TwilioIn.MustCurryWith(sms), m.TwilioSends.MustCurryWith(sms)
	m.SMSStatus, m.RateLimited = m.TwilioStatus.MustCurryWith(sms), m.TwilioLimited.MustCurryWith(sms)
	m.SMSRefused = m.TwilioRefused.MustCurryWith(sms)
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.TwilioIn, m.SMSOut, m.SMSSegments, m.TwilioSends, m.SMSSendRetries, m.TwilioStatus,
		m.TwilioLimited, m.TwilioRefused, m.SignatureFailures, m.WebhookRejected, m.TurnFailures,
		m.MessagesIn, m.MessagesOut, m.DegradedTurns, m.TurnDuration, m.Routes,
		m.Conversations, m.LanguageSwitches, m.WebRateLimited, m.LagesbildReports, m.StoreDuration, m.StoreErrors,
	)
	// Start the series alerts watch at zero, so a rate() sees the first failure. The
	// WhatsApp series start with the channel (Twilio).
	m.Twilio(ChannelSMS)
	for _, s := range []string{StageAdmit, StageTurn, StageReply} {
		m.TurnFailures.WithLabelValues("sms", s)
	}
	for _, l := range []string{WebLimitSession, WebLimitClient, WebLimitNew, WebLimitGlobal, WebLimitSessionPoll, WebLimitClientPoll} {
		m.WebRateLimited.WithLabelValues(l)
	}
	for _, c := range []string{ChannelSMS, ChannelWeb} {
		for _, r := range []string{ReportRecorded, ReportDuplicate, ReportCapped} {
			m.LagesbildReports.WithLabelValues(c, r)
		}
	}
	for _, c := range []string{ChannelSMS, ChannelWeb} {
		m.MessagesIn.WithLabelValues(c)
		m.MessagesOut.WithLabelValues(c)
		m.DegradedTurns.WithLabelValues(c)
	}
	for _, op := range storeOps {
		for _, class := range []string{StoreErrTimeout, StoreErrUnavailable, StoreErrOther} {
			m.StoreErrors.WithLabelValues(op, class)
		}
	}
	return m
}

// TwilioCounters are the counters of one Twilio channel (SMS, WhatsApp), curried with its
// channel label: the same metric names for both, told apart by the label.
type TwilioCounters struct {
	// In counts incoming messages by result; Sends REST sends by result; Status status
	// callbacks by status and error code; Limited messages past a limit by limit and
	// action; Refused signed messages not answered, by reason.
	In, Sends, Status, Limited, Refused *prometheus.CounterVec
}

// Twilio returns the counters of Twilio channel ch (ChannelSMS, ChannelWhatsApp), with the
// series dashboards watch started at zero.
func (m *Metrics) Twilio(ch string) TwilioCounters {
	l := prometheus.Labels{"channel": channelLabel(ch)}
	c := TwilioCounters{
		In: m.TwilioIn.MustCurryWith(l), Sends: m.TwilioSends.MustCurryWith(l), Status: m.TwilioStatus.MustCurryWith(l),
		Limited: m.TwilioLimited.MustCurryWith(l), Refused: m.TwilioRefused.MustCurryWith(l),
	}
	for _, r := range []string{ResultAnswered, ResultDegraded, ResultDuplicate, ResultRateLimited, ResultFailed} {
		c.In.WithLabelValues(r)
	}
	for _, r := range []string{SendSent, SendOptedOut, SendFailed} {
		c.Sends.WithLabelValues(r)
	}
	for _, r := range []string{RefuseAccount, RefuseNumber, RefuseCountry} {
		c.Refused.WithLabelValues(r)
	}
	for _, lim := range []string{LimitSender, LimitGlobal} {
		for _, a := range []string{ActionNotice, ActionSilent} {
			c.Limited.WithLabelValues(lim, a)
		}
	}
	return c
}

// Handler serves the registry in the Prometheus exposition format, for GET /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
