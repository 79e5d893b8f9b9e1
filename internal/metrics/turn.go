package metrics

import (
	"time"

	"github.com/vasteras/trygg/bot"
)

// Turn is what one conversation turn tells the metrics: nothing about the resident, only
// the channel, how long it took, whether it degraded and the engine's events.
type Turn struct {
	// Channel is the channel the message came by (Channel*).
	Channel string
	// Duration is how long the turn took, the safety reply included.
	Duration time.Duration
	// Degraded is true when the safety reply stood in for the turn.
	Degraded bool
	// Replies is the number of replies given.
	Replies int
	// New is true when the turn started the conversation, in language Lang.
	New  bool
	Lang string
	// Events are the turn's events; referred and language events are counted.
	Events []bot.Event
}

// ObserveTurn counts one conversation turn: message in, replies out, latency, degraded,
// routes and languages. Unknown channels, languages and malformed routes are counted as
// "other", so no label ever holds anything but a fixed value.
func (m *Metrics) ObserveTurn(t Turn) {
	ch := channelLabel(t.Channel)
	m.MessagesIn.WithLabelValues(ch).Inc()
	m.MessagesOut.WithLabelValues(ch).Add(float64(t.Replies))
	result := TurnAnswered
	if t.Degraded {
		result = TurnDegraded
		m.DegradedTurns.WithLabelValues(ch).Inc()
	}
	m.TurnDuration.WithLabelValues(ch, result).Observe(t.Duration.Seconds())
	if t.Degraded {
		return
	}
	if t.New {
		m.Conversations.WithLabelValues(ch, langLabel(t.Lang)).Inc()
	}
	for _, e := range t.Events {
		switch e.Kind {
		case bot.EventReferred:
			m.Routes.WithLabelValues(routeLabel(e.Route)).Inc()
		case bot.EventLanguage:
			if !t.New {
				m.LanguageSwitches.WithLabelValues(langLabel(e.Lang)).Inc()
			}
		}
	}
}

// channelLabel maps a channel name to a label value.
func channelLabel(c string) string {
	switch c {
	case ChannelSMS, ChannelWhatsApp, ChannelWeb, ChannelChat:
		return c
	}
	return ChannelOther
}

// langLabel maps a language to a label value: one of trygg's languages or "other".
func langLabel(l string) string {
	switch l {
	case "sv", "en", "fi":
		return l
	}
	return "other"
}

// routeLabel keeps a route id from the flows (lower-case letters, digits, '_' and '-', at
// most 40 bytes); anything else is "other".
func routeLabel(r string) string {
	if r == "" || len(r) > 40 {
		return "other"
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return "other"
		}
	}
	return r
}

// CountReport counts a lägesbild report by the channel it came by and what became of it
// (Report*).
func (m *Metrics) CountReport(channel, result string) {
	m.LagesbildReports.WithLabelValues(channelLabel(channel), result).Inc()
}
