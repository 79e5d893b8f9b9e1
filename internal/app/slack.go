package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/internal/lagesbild"
	"github.com/vasteras/trygg/internal/slack"
)

// slackAPITimeout bounds one call of Slack's Web API.
const slackAPITimeout = 10 * time.Second

// mountSlack builds the Slack staff channel when it is configured: HTTP routes, or Socket
// Mode (started by Run) when an app-level token is set.
func (a *App) mountSlack() error {
	cfg := a.Config
	if !cfg.SlackEnabled() {
		a.Log.Info("slack: off (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to turn it on)")
		return nil
	}
	opts := []slackapi.Option{slackapi.OptionHTTPClient(&http.Client{Timeout: slackAPITimeout})}
	if cfg.SlackAppToken != "" {
		opts = append(opts, slackapi.OptionAppLevelToken(cfg.SlackAppToken))
	}
	if a.slackAPIURL != "" {
		opts = append(opts, slackapi.OptionAPIURL(a.slackAPIURL))
	}
	b, err := slack.New(slack.Config{
		Engine:          a.Engine,
		Store:           a.Store,
		Stats:           a.Stats,
		API:             slackapi.New(cfg.SlackBotToken, opts...),
		SigningSecret:   cfg.SlackSigningSecret,
		TeamID:          cfg.SlackTeamID,
		AllowedChannels: cfg.SlackAllowedChannels,
		Lagesbild:       a.Lagesbild,
		Names:           LagesbildNames(a.Flows),
		Staffed:         func(t time.Time) bool { return HandoffPossible(cfg) && cfg.StaffedHours.Open(t) },
		TestTTL:         cfg.ConversationTTL,
		Now:             a.now,
		Log:             a.Log,
		Grannsamverkan:  a.Grannsamverkan,
		Alerts:          a.Alerts,
		AlertUsers:      cfg.SlackAlertUsers,
		Metrics:         a.Metrics,
	})
	if err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	a.Slack = b
	if cfg.SlackAppToken != "" {
		a.Log.Info("slack: Socket Mode (SLACK_APP_TOKEN is set); no /slack routes are mounted")
		return nil
	}
	b.Mount(a.Server)
	a.Log.Info("slack: on", "routes", []string{slack.RouteCommands, slack.RouteEvents, slack.RouteInteractions})
	return nil
}

// weeklyLagesbild returns the Monday post of the lägesbild to SLACK_STAFF_CHANNEL, or nil
// when Slack or the staff channel is not configured.
func (a *App) weeklyLagesbild() (*lagesbild.Weekly, error) {
	channel := a.Config.SlackStaffChannel
	if a.Slack == nil || channel == "" {
		return nil, nil
	}
	w, err := lagesbild.NewWeekly(lagesbild.WeeklyConfig{
		Guard: a.Store,
		Post: func(ctx context.Context, week string) error {
			return a.Slack.PostLagesbild(ctx, channel, week)
		},
		Clock:    a.clock,
		Location: a.Location,
		Log:      a.Log,
	})
	if err != nil {
		return nil, fmt.Errorf("weekly lägesbild: %w", err)
	}
	return w, nil
}
