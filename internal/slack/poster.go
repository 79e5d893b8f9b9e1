package slack

import (
	"errors"
	"log/slog"
	"time"

	slackapi "github.com/slack-go/slack"
)

// PosterConfig holds what a Poster needs.
type PosterConfig struct {
	// API is the Slack Web API client (a bot token).
	API *slackapi.Client
	// AreaName names an area of flows/places.yaml on the alert cards; nil shows the id.
	AreaName func(id string) string
	// HandoffWait is how long a resident waits for a first staff reply and HandoffIdle
	// how long an answered case may go without a message before it ends
	// (TRYGG_HANDOFF_WAIT, TRYGG_CONVERSATION_TTL): the case cards say so.
	HandoffWait, HandoffIdle time.Duration
	// Log receives what happened, never message text; nil discards.
	Log *slog.Logger
}

// Poster posts what other parts of trygg show staff in Slack: the handoff case cards and
// their threads (handoff.Staff) and the Grannsamverkan alert cards. It is an outbox: it
// needs nothing but the Web API, so the handoff service and the alert sender can be built
// on it before the Bot that takes staff's commands and buttons. It is safe for concurrent
// use.
type Poster struct {
	cfg  PosterConfig
	log  *slog.Logger
	text texts
	loc  *time.Location
}

// NewPoster returns a Poster.
func NewPoster(cfg PosterConfig) (*Poster, error) {
	if cfg.API == nil {
		return nil, errors.New("slack: the poster needs the API")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	t, err := loadTexts()
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		loc = time.UTC // as conversation.Day does without a zone database
	}
	return &Poster{cfg: cfg, log: cfg.Log.With("channel", "slack"), text: t, loc: loc}, nil
}
