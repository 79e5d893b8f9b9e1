package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/internal/handoff"
)

// Ids of the handoff tests: the staff channel with its case card, and another
// organisation's workspace, which shares the channel through Slack Connect in some rows.
const (
	testCardTS  = "1764486000.000100"
	outsideTeam = "T0OUTSIDE"
	outsideUser = "U0OUTSIDE"
)

// fakeDesk is the handoff service as the staff channel sees it: it records what reaches it.
type fakeDesk struct {
	mu      sync.Mutex
	replies []string // "ts user text"
	presses []string // "action code user"
}

func (d *fakeDesk) Take(_ context.Context, code, user string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.presses = append(d.presses, "take "+code+" "+user)
	return user, nil
}

func (d *fakeDesk) End(_ context.Context, code, user string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.presses = append(d.presses, "end "+code+" "+user)
	return nil
}

func (d *fakeDesk) StaffReply(_ context.Context, ts, user, text string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.replies = append(d.replies, ts+" "+user+" "+text)
	return nil
}

func (d *fakeDesk) Replies() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.replies...)
}

func (d *fakeDesk) Presses() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.presses...)
}

// deskHarness is the harness with the handoff desk in testChannel.
func deskHarness(t *testing.T, teamID string) (*harness, *fakeDesk) {
	t.Helper()
	d := &fakeDesk{}
	h := newHarness(t, func(c *Config) {
		c.TeamID = teamID
		p, err := NewPoster(PosterConfig{API: c.API, HandoffWait: 10 * time.Minute, HandoffIdle: 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		c.Poster, c.Desk, c.StaffChannel = p, d, testChannel
	})
	return h, d
}

// threadReply is a message event in a case card's thread as Slack's Events API delivers
// it: the field set of a real delivery, for a member of the workspace or, in a channel
// shared through Slack Connect, for a user of another organisation (user_team,
// source_team, team and user_profile.team then name theirs).
type threadReply struct {
	EventID, User, Text string
	// EnvelopeTeam is the envelope's team_id, InstalledTeam the team of its authorization
	// (the installation of trygg the event is delivered for); both default to testTeam.
	EnvelopeTeam, InstalledTeam string
	// UserTeam, SourceTeam, MessageTeam and ProfileTeam default to testTeam.
	UserTeam, SourceTeam, MessageTeam, ProfileTeam string
	// Shared marks the channel as shared with another organisation.
	Shared bool
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// body returns the event_callback JSON Slack posts.
func (r threadReply) body() []byte {
	user := or(r.User, testStaff)
	b, err := json.Marshal(map[string]any{
		"token":                 "XXYYZZ",
		"team_id":               or(r.EnvelopeTeam, testTeam),
		"context_team_id":       or(r.EnvelopeTeam, testTeam),
		"context_enterprise_id": nil,
		"api_app_id":            "A0TRYGG",
		"event": map[string]any{
			"user":          user,
			"type":          "message",
			"ts":            "1764486100.000200",
			"client_msg_id": "9a1d2f0e-4b7c-4c1e-9d55-3f0a2b6c8e71",
			"text":          r.Text,
			"team":          or(r.MessageTeam, testTeam),
			"user_team":     or(r.UserTeam, testTeam),
			"source_team":   or(r.SourceTeam, testTeam),
			"user_profile": map[string]any{
				"avatar_hash": "g0a1b2c3d4e5", "image_72": "https://secure.gravatar.com/avatar/x.jpg",
				"first_name": "Alex", "real_name": "Alex", "display_name": "alex",
				"team": or(r.ProfileTeam, testTeam), "name": "alex",
				"is_restricted": false, "is_ultra_restricted": false,
			},
			"thread_ts":      testCardTS,
			"parent_user_id": testBotUser,
			"blocks": []any{map[string]any{"type": "rich_text", "block_id": "Kx1", "elements": []any{
				map[string]any{"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": r.Text}}},
			}}},
			"channel":      testChannel,
			"event_ts":     "1764486100.000200",
			"channel_type": "channel",
		},
		"type":       "event_callback",
		"event_id":   r.EventID,
		"event_time": 1764486100,
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": or(r.InstalledTeam, testTeam), "user_id": testBotUser,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": r.Shared,
		"event_context":         "4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMFRFQU0iLCJhaWQiOiJBMFRSWUdHIiwiY2lkIjoiQzBUUllHRyJ9",
	})
	if err != nil {
		panic(err)
	}
	return b
}

// TestHandoffReplyFromOutsidersIsRefused: a staff reply in a case thread reaches the
// resident only when it comes from the workspace trygg serves (SLACK_TEAM_ID, or when that
// is unset the installation the event was delivered for) and from a user of that
// workspace. A signed event from another workspace, or from a user of another organisation
// in a shared (Slack Connect) channel, is refused like a command from there: nothing
// reaches the resident and the thread gets the polite refusal, once however often Slack
// delivers the event.
func TestHandoffReplyFromOutsidersIsRefused(t *testing.T) {
	const words = "Hej, jag heter Alex. Är du på en säker plats nu?"
	for _, row := range []struct {
		name    string
		teamID  string // SLACK_TEAM_ID
		reply   threadReply
		relayed bool
	}{
		{"staff of the workspace", testTeam, threadReply{}, true},
		{"staff, SLACK_TEAM_ID unset", "", threadReply{}, true},
		{"staff in a shared channel", testTeam, threadReply{Shared: true}, true},
		{"another workspace", testTeam, threadReply{
			EnvelopeTeam: outsideTeam, InstalledTeam: outsideTeam, UserTeam: outsideTeam,
			SourceTeam: outsideTeam, MessageTeam: outsideTeam, ProfileTeam: outsideTeam, User: outsideUser,
		}, false},
		{"another workspace, SLACK_TEAM_ID unset", "", threadReply{
			EnvelopeTeam: outsideTeam, UserTeam: outsideTeam,
			SourceTeam: outsideTeam, MessageTeam: outsideTeam, ProfileTeam: outsideTeam, User: outsideUser,
		}, false},
		{"another workspace's envelope only", testTeam, threadReply{EnvelopeTeam: outsideTeam}, false},
		{"Slack Connect user", testTeam, threadReply{
			Shared: true, User: outsideUser, UserTeam: outsideTeam, SourceTeam: outsideTeam,
			MessageTeam: outsideTeam, ProfileTeam: outsideTeam,
		}, false},
		{"Slack Connect user, SLACK_TEAM_ID unset", "", threadReply{
			Shared: true, User: outsideUser, UserTeam: outsideTeam, SourceTeam: outsideTeam,
			MessageTeam: outsideTeam, ProfileTeam: outsideTeam,
		}, false},
		{"user_team only", testTeam, threadReply{Shared: true, User: outsideUser, UserTeam: outsideTeam}, false},
		{"user_team only, SLACK_TEAM_ID unset", "", threadReply{Shared: true, User: outsideUser, UserTeam: outsideTeam}, false},
		{"source_team only", testTeam, threadReply{Shared: true, SourceTeam: outsideTeam}, false},
		{"the message's team only", testTeam, threadReply{Shared: true, MessageTeam: outsideTeam}, false},
		{"user_profile.team only", "", threadReply{Shared: true, ProfileTeam: outsideTeam}, false},
	} {
		t.Run(row.name, func(t *testing.T) {
			h, desk := deskHarness(t, row.teamID)
			r := row.reply
			r.EventID, r.Text = "Ev0REPLY", words
			for range 2 { // the second delivery is Slack's retry
				if w := h.event(t, r.body()); w.Code != http.StatusOK {
					t.Fatalf("event: %d", w.Code)
				}
			}
			replies, posts := desk.Replies(), h.api.Posts()
			if row.relayed {
				if len(replies) != 1 || !strings.HasSuffix(replies[0], " "+words) || len(posts) != 0 {
					t.Errorf("relayed %q, posted %d; want the reply relayed once, nothing posted", replies, len(posts))
				}
				return
			}
			if len(replies) != 0 {
				t.Errorf("an outsider's reply reached the resident: %q", replies)
			}
			if len(posts) != 1 || posts[0].Channel != testChannel || posts[0].ThreadTS != testCardTS {
				t.Fatalf("posts %+v, want one refusal in the case thread", posts)
			}
			if text := renderText(decodeBlocks(t, posts[0].Blocks)); !strings.Contains(text, "arbetsytan") {
				t.Errorf("refusal:\n%s", text)
			}
		})
	}
}

// TestHandoffButtonFromOutsidersIsRefused: a card's button pressed by a user of another
// organisation (user.team_id) is refused like one pressed in another workspace, whether
// SLACK_TEAM_ID is set or not.
func TestHandoffButtonFromOutsidersIsRefused(t *testing.T) {
	for _, row := range []struct {
		name, teamID, team, userTeam string
		handled                      bool
	}{
		{"staff", testTeam, testTeam, testTeam, true},
		{"staff, SLACK_TEAM_ID unset", "", testTeam, testTeam, true},
		{"another workspace", testTeam, outsideTeam, outsideTeam, false},
		{"Slack Connect user", testTeam, testTeam, outsideTeam, false},
		{"Slack Connect user, SLACK_TEAM_ID unset", "", testTeam, outsideTeam, false},
	} {
		t.Run(row.name, func(t *testing.T) {
			h, desk := deskHarness(t, row.teamID)
			payload, _ := json.Marshal(map[string]any{
				"type":       "block_actions",
				"team":       map[string]any{"id": row.team, "domain": "vasteras"},
				"user":       map[string]any{"id": outsideUser, "username": "alex", "name": "alex", "team_id": row.userTeam},
				"api_app_id": "A0TRYGG", "token": "XXYYZZ", "trigger_id": "1.2.3",
				"container": map[string]any{"type": "message", "message_ts": testCardTS, "channel_id": testChannel, "is_ephemeral": false},
				"channel":   map[string]any{"id": testChannel, "name": "trygg"},
				"message":   map[string]any{"type": "message", "ts": testCardTS, "bot_id": "B0TRYGG", "team": testTeam},
				"actions": []any{map[string]any{"type": "button", "action_id": ActionTake, "block_id": "handoff_actions",
					"value": "K-7F3Q", "action_ts": "1764486200.000300", "text": map[string]any{"type": "plain_text", "text": "Ta ärendet"}}},
				"response_url": h.hooks.URL(),
			})
			w := h.do(signedRequest("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode())))
			h.bot.Wait()
			presses := desk.Presses()
			if row.handled {
				if len(presses) != 1 || presses[0] != "take K-7F3Q "+outsideUser {
					t.Errorf("presses %q, want the take", presses)
				}
				return
			}
			if len(presses) != 0 {
				t.Errorf("an outsider's press reached the desk: %q", presses)
			}
			if !strings.Contains(w.Body.String(), "arbetsytan") {
				t.Errorf("answer %q, want the refusal", w.Body)
			}
		})
	}
}

// TestStaffReplyReachesResidentAsPlainText: what staff type in a case thread arrives in
// Slack's markup; the resident gets it as plain text, as staff saw it, without Slack ids.
func TestStaffReplyReachesResidentAsPlainText(t *testing.T) {
	for _, row := range []struct{ name, slack, want string }{
		{"plain", "Hej! Är du på en säker plats nu?", "Hej! Är du på en säker plats nu?"},
		{"escaped characters", "Ring 112 om något händer &lt;3 &amp; ta hand om dig &gt; allt annat", "Ring 112 om något händer <3 & ta hand om dig > allt annat"},
		{"typed entity stays", "Skriv &amp;lt; om du vill", "Skriv &lt; om du vill"},
		{"link with a label", "Läs mer på <https://www.polisen.se/utsatt-for-brott/|Polisens sida>.", "Läs mer på Polisens sida (https://www.polisen.se/utsatt-for-brott/)."},
		{"pasted link", "Se <https://www.brottsofferjouren.se|www.brottsofferjouren.se>", "Se https://www.brottsofferjouren.se"},
		{"bare link", "Se <https://jagvillveta.se/>", "Se https://jagvillveta.se/"},
		{"link with &", "<https://x.se/a?b=1&amp;c=2|sidan>", "sidan (https://x.se/a?b=1&c=2)"},
		{"mail link", "Mejla <mailto:stod@vasteras.se|stod@vasteras.se>", "Mejla stod@vasteras.se"},
		{"phone link", "Ring <tel:021-413260|021-41 32 60>", "Ring 021-41 32 60"},
		{"user mention", "Jag och <@U0KOLLEGA> läser det du skriver.", "Jag och läser det du skriver."},
		{"user mention before a comma", "Hej <@U0KOLLEGA|anna>, kan du svara?", "Hej, kan du svara?"},
		{"mention first", "<@U0STAFF> Hej igen", "Hej igen"},
		{"channel with a name", "Vi pratade om det i <#C0TRYGG|trygg-jour>", "Vi pratade om det i #trygg-jour"},
		{"channel without a name", "Se <#C0TRYGG> och svara", "Se och svara"},
		{"here and group", "<!here> <!subteam^S0JOUR|@jour> Hej!", "Hej!"},
		{"date", "Vi ses <!date^1764486000^{date_short}|5 dec 2026>.", "Vi ses 5 dec 2026."},
		{"emoji", "Bra att du skrev :slightly_smiling_face: Vi finns här :wave::skin-tone-3:", "Bra att du skrev Vi finns här"},
		{"times are no emoji", "Kl 10:30: ring oss", "Kl 10:30: ring oss"},
		{"a link's address is no emoji", "<https://sv.wikipedia.org/wiki/Special:Sök:x|Wikipedia>", "Wikipedia (https://sv.wikipedia.org/wiki/Special:Sök:x)"},
		{"a link's address is no emoji, bare", "<https://x.se/a:b:c>", "https://x.se/a:b:c"},
		{"curly quotes and dashes", "Du är inte ensam \u2013 det \u201dvanliga\u201d svaret är \u2019ja\u2019\u2026", `Du är inte ensam - det "vanliga" svaret är 'ja'...`},
		{"lines kept", "Hej!\n<@U0STAFF> och jag\nläser.", "Hej!\noch jag\nläser."},
		{"only a mention", "<@U0STAFF>", ""},
	} {
		t.Run(row.name, func(t *testing.T) {
			if got := staffText(row.slack); got != row.want {
				t.Errorf("staffText(%q)\n = %q\nwant %q", row.slack, got, row.want)
			}
		})
	}

	// Through the Events API: the desk gets the plain text, staff's id only as who replied.
	h, desk := deskHarness(t, testTeam)
	h.event(t, threadReply{EventID: "Ev0MARKUP", Text: "Hej! <@U0KOLLEGA> och jag finns här &amp; läser. Se <https://www.polisen.se|Polisen>."}.body())
	want := testCardTS + " " + testStaff + " Hej! och jag finns här & läser. Se Polisen (https://www.polisen.se)."
	if got := desk.Replies(); len(got) != 1 || got[0] != want {
		t.Errorf("desk got %q\nwant %q", got, want)
	}
}

// TestResidentWordsHideNumbers: what a resident writes is posted in the case thread with
// phone numbers and personal identity numbers hidden, however they are written; the help
// lines they may mention stay.
func TestResidentWordsHideNumbers(t *testing.T) {
	for _, row := range []struct{ name, words, want string }{
		{"international", "ring +46701234567", "ring [telefonnummer dolt]"},
		{"international with spaces", "ring +46 70 123 45 67 tack", "ring [telefonnummer dolt] tack"},
		{"00", "ring 0046701234567", "ring [telefonnummer dolt]"},
		{"country code without +", "mitt nummer är 46701234567", "mitt nummer är [telefonnummer dolt]"},
		{"country code with spaces", "46 70 123 45 67", "[telefonnummer dolt]"},
		{"mobile", "0701234567", "[telefonnummer dolt]"},
		{"mobile with dashes", "070-123 45 67", "[telefonnummer dolt]"},
		{"mobile with dots", "ring 070.123.45.67 efter 5", "ring [telefonnummer dolt] efter 5"},
		{"mobile with dash and space", "070 - 123 45 67", "[telefonnummer dolt]"},
		{"personnummer", "mitt personnummer är 19900101-1234", "mitt personnummer är [personnummer dolt]"},
		{"personnummer, short", "900101-1234", "[personnummer dolt]"},
		{"personnummer without dash", "199001011234", "[personnummer dolt]"},
		{"personnummer, short without dash", "9001011234 heter jag", "[personnummer dolt] heter jag"},
		{"personnummer with +", "900101+1234", "[personnummer dolt]"},
		{"samordningsnummer", "900161-1234", "[personnummer dolt]"},
		{"help lines stay", "jag ringde 112, 114 14, 021-41 32 60 och 010-567 63 25 och 116 006", "jag ringde 112, 114 14, 021-41 32 60 och 010-567 63 25 och 116 006"},
		{"a date stays", "det hände 2026-11-16 kl 22", "det hände 2026-11-16 kl 22"},
		{"a year stays", "sedan 1990", "sedan 1990"},
	} {
		t.Run(row.name, func(t *testing.T) {
			h, _ := deskHarness(t, testTeam)
			if err := h.bot.PostNote(context.Background(), testChannel, testCardTS, handoff.Note{Kind: handoff.NoteResident, Text: row.words}); err != nil {
				t.Fatal(err)
			}
			posts := h.api.Posts()
			if len(posts) != 1 {
				t.Fatalf("%d posts", len(posts))
			}
			assertClean(t, posts[0].Blocks)
			var text string
			for _, b := range decodeBlocks(t, posts[0].Blocks) {
				if s, ok := b.(*slackapi.SectionBlock); ok && s.Text != nil {
					text += s.Text.Text + "\n"
				}
			}
			if !strings.Contains(text, row.want) {
				t.Errorf("posted:\n%s\nwant it to hold %q", text, row.want)
			}
			for _, secret := range []string{"701234567", "1234567", "123 45 67", "123.45.67", "900101", "0101-1234", "0161-1234"} {
				if strings.Contains(row.words, secret) && strings.Contains(text, secret) {
					t.Errorf("%q reached Slack:\n%s", secret, text)
				}
			}
		})
	}
}

// TestOutsider: a request is served only when its own workspace is the one served, and
// every other workspace it names is too; one that names no workspace is not served.
func TestOutsider(t *testing.T) {
	for _, row := range []struct {
		home, team string
		others     []string
		want       bool
	}{
		{testTeam, testTeam, nil, false},
		{testTeam, testTeam, []string{"", testTeam, ""}, false},
		{testTeam, outsideTeam, nil, true},
		{testTeam, "", nil, true},
		{"", "", nil, true},
		{testTeam, testTeam, []string{"", outsideTeam}, true},
	} {
		if got := outsider(row.home, row.team, row.others...); got != row.want {
			t.Errorf("outsider(%q, %q, %q) = %v, want %v", row.home, row.team, row.others, got, row.want)
		}
	}
}
