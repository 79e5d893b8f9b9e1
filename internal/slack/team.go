package slack

import (
	"encoding/json"
	"slices"

	slackapi "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Every request trygg acts on must come from one workspace, and from a person of that
// workspace: staff replies in a case thread reach a resident by SMS, so a user of another
// organisation in a shared (Slack Connect) channel is as much an outsider as another
// workspace. That workspace is SLACK_TEAM_ID when set; else the workspace of the
// installation Slack delivered the request for (trygg's app is installed in one workspace
// and not distributed, so that is the one it was installed in).

// home returns the workspace a request is served for: Config.TeamID, or installed (the
// installation the request was delivered for) when that is not set.
func (b *Bot) home(installed string) string {
	if b.cfg.TeamID != "" {
		return b.cfg.TeamID
	}
	return installed
}

// outsider reports whether a request is not home's: its own workspace (team, the
// envelope's, a command's or a button's team) is not home, or any other workspace it
// names (users', in shared channels) is another. A request that names no workspace of its
// own is an outsider too.
func outsider(home, team string, others ...string) bool {
	return team == "" || team != home ||
		slices.ContainsFunc(others, func(t string) bool { return t != "" && t != home })
}

// refusal returns why a request of team, naming the other workspaces others (users' own,
// in shared channels), in channel is not served, as a text for staff; "" when it is
// served. home is the workspace served (see Bot.home).
func (b *Bot) refusal(home, team string, others []string, channel string) string {
	if outsider(home, team, others...) {
		return b.text.get("staff_refused_team", nil)
	}
	if len(b.cfg.AllowedChannels) > 0 && !slices.Contains(b.cfg.AllowedChannels, channel) {
		return b.text.get("staff_refused_channel", nil)
	}
	return ""
}

// installation returns the workspace an event was delivered for: the team of its
// authorization (the installation of trygg that may see it), else the envelope's team_id.
func installation(cb *slackevents.EventsAPICallbackEvent) string {
	for _, a := range cb.Authorizations {
		if a.TeamID != "" {
			return a.TeamID
		}
	}
	return cb.TeamID
}

// eventTeams returns the other workspaces an event names besides its envelope's team_id:
// from the inner event the user's and the source's team (user_team, source_team, in
// shared channels), the message's team and the team of the user_profile Slack attaches to
// messages of shared channels. slack-go's event types hold user_team and source_team; the
// message's team and user_profile (as slack-go's UserProfile) are read from the inner
// event here, since no slack-go event type holds them.
func eventTeams(cb *slackevents.EventsAPICallbackEvent, userTeam, sourceTeam string) []string {
	teams := []string{userTeam, sourceTeam}
	if cb.InnerEvent == nil {
		return teams
	}
	var inner struct {
		Team        string                `json:"team"`
		UserProfile *slackapi.UserProfile `json:"user_profile"`
	}
	if err := json.Unmarshal(*cb.InnerEvent, &inner); err != nil {
		// slack-go parsed this event already; an inner event it read but this cannot is
		// named as a team no workspace has, so it is refused rather than served.
		return append(teams, "?")
	}
	teams = append(teams, inner.Team)
	if inner.UserProfile != nil {
		teams = append(teams, inner.UserProfile.Team)
	}
	return teams
}
