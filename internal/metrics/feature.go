package metrics

import (
	"context"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/internal/conversation"
)

// Turns returns the feature that counts every resident's turn (ObserveTurn): channel,
// latency, degraded turns, routes and languages.
func (m *Metrics) Turns() conversation.Feature { return turns{m} }

// turns counts turns as a conversation.Feature.
type turns struct{ m *Metrics }

func (turns) Name() string { return "metrics" }

func (turns) Before(context.Context, conversation.Inbound, *bot.Message) error { return nil }

func (t turns) After(_ context.Context, in conversation.Inbound, o conversation.Outcome) error {
	t.m.ObserveTurn(Turn{
		Channel: in.Channel, Duration: o.Took, Degraded: o.Degraded, Replies: len(o.Replies),
		New: o.New, Lang: o.State.Lang, Events: o.Events,
	})
	return nil
}
