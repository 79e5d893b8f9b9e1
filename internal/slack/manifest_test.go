package slack

import (
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestManifestMatchesTheRoutes keeps deploy/slack-app-manifest.yaml honest: the URLs are
// the routes trygg serves, the events are app_mention and the messages of handoff threads,
// and the scopes are exactly the ones trygg uses.
func TestManifestMatchesTheRoutes(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command, URL string
			} `yaml:"slash_commands"`
		}
		OAuthConfig struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
		Settings struct {
			EventSubscriptions struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				IsEnabled  bool   `yaml:"is_enabled"`
				RequestURL string `yaml:"request_url"`
			}
			SocketMode bool `yaml:"socket_mode_enabled"`
		}
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	path := func(route, u string) {
		t.Helper()
		p, err := url.Parse(u)
		if err != nil || p.Scheme != "https" || "POST "+p.Path != route {
			t.Errorf("manifest URL %q, want https://…%s", u, strings.TrimPrefix(route, "POST "))
		}
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/trygg" {
		t.Fatalf("slash commands %+v, want /trygg", m.Features.SlashCommands)
	}
	path(RouteCommands, m.Features.SlashCommands[0].URL)
	path(RouteEvents, m.Settings.EventSubscriptions.RequestURL)
	path(RouteInteractions, m.Settings.Interactivity.RequestURL)
	if want := []string{"app_mention", "message.channels", "message.groups"}; !slices.Equal(m.Settings.EventSubscriptions.BotEvents, want) {
		t.Errorf("bot events %v, want %v", m.Settings.EventSubscriptions.BotEvents, want)
	}
	scopes := slices.Sorted(slices.Values(m.OAuthConfig.Scopes.Bot))
	if want := []string{"app_mentions:read", "channels:history", "chat:write", "commands", "files:write", "groups:history"}; !slices.Equal(scopes, want) {
		t.Errorf("scopes %v, want exactly %v", scopes, want)
	}
	if m.Settings.SocketMode {
		t.Error("Socket Mode is on by default; HTTP is the default")
	}
	if !m.Settings.Interactivity.IsEnabled {
		t.Error("interactivity is off")
	}
}
