package slack

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/internal/testkit"
)

// Slack's published example of a signed slash command ("Verifying requests from Slack").
const (
	exampleSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	exampleTimestamp = 1531420618
	exampleBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	exampleSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func TestSignerMatchesSlackExample(t *testing.T) {
	if got := testkit.SlackSignature(exampleSecret, exampleTimestamp, []byte(exampleBody)); got != exampleSignature {
		t.Fatalf("sign = %s, want Slack's %s", got, exampleSignature)
	}
	// slack-go reads the real clock, so the 2018 example itself is refused as stale: which
	// is why the tests sign fresh requests with the proven signer.
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", strconv.Itoa(exampleTimestamp))
	h.Set("X-Slack-Signature", exampleSignature)
	if _, err := slackapi.NewSecretsVerifier(h, exampleSecret); !errors.Is(err, slackapi.ErrExpiredTimestamp) {
		t.Errorf("the example verified with %v, want ErrExpiredTimestamp", err)
	}
}

// TestRequestsAreVerified sends each kind of request Slack makes, signed right and in every
// wrong way. Refused requests get 401 (413 when too large) and change nothing: no message
// posted, no answer sent, no event remembered.
func TestRequestsAreVerified(t *testing.T) {
	interaction := url.Values{"payload": {`{"type":"block_actions","team":{"id":"T0TEAM","domain":"vasteras"},"user":{"id":"U0STAFF"},"channel":{"id":"C0TRYGG"},"actions":[{"action_id":"noop","block_id":"b","type":"button","value":"1","action_ts":"1763283600.000300"}],"response_url":"https://hooks.slack.com/actions/T0TEAM/1/x","trigger_id":"1.2.3"}`}}
	kinds := []struct {
		name, path, contentType string
		body                    func(h *harness) []byte
		effects                 int // messages posted by a valid request
	}{
		{"command", "/slack/commands", "application/x-www-form-urlencoded", func(h *harness) []byte {
			return commandBody("fråga --visa Jag blev rånad", h.hooks.URL())
		}, 1},
		{"event", "/slack/events", "application/json", func(*harness) []byte {
			return mention{EventID: "Ev0SIGNED", Text: "<@U0TRYGG> Jag blev rånad", TS: "1763283600.000100"}.body()
		}, 1},
		{"interaction", "/slack/interactions", "application/x-www-form-urlencoded", func(*harness) []byte {
			return []byte(interaction.Encode())
		}, 0},
	}
	now := time.Now().Unix()
	rows := []struct {
		name   string
		edit   func(r *http.Request, body []byte) *http.Request
		status int
	}{
		{"valid", nil, http.StatusOK},
		{"forged with another secret", func(r *http.Request, body []byte) *http.Request {
			r.Header.Set("X-Slack-Signature", testkit.SlackSignature("not-the-secret", now, body))
			return r
		}, http.StatusUnauthorized},
		{"body changed after signing", func(r *http.Request, body []byte) *http.Request {
			return resend(r, append(append([]byte(nil), body...), '&', 'x', '=', '1'))
		}, http.StatusUnauthorized},
		{"stale: signed 6 minutes ago", func(r *http.Request, body []byte) *http.Request {
			ts := time.Now().Add(-6 * time.Minute).Unix()
			r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
			r.Header.Set("X-Slack-Signature", testkit.SlackSignature(testSigningSecret, ts, body))
			return r
		}, http.StatusUnauthorized},
		{"from the future: 6 minutes ahead", func(r *http.Request, body []byte) *http.Request {
			ts := time.Now().Add(6 * time.Minute).Unix()
			r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
			r.Header.Set("X-Slack-Signature", testkit.SlackSignature(testSigningSecret, ts, body))
			return r
		}, http.StatusUnauthorized},
		{"replayed timestamp with the old signature", func(r *http.Request, body []byte) *http.Request {
			r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now+1, 10))
			return r
		}, http.StatusUnauthorized},
		{"missing signature", func(r *http.Request, _ []byte) *http.Request {
			r.Header.Del("X-Slack-Signature")
			return r
		}, http.StatusUnauthorized},
		{"missing timestamp", func(r *http.Request, _ []byte) *http.Request {
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"no headers at all", func(r *http.Request, _ []byte) *http.Request {
			r.Header.Del("X-Slack-Signature")
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}, http.StatusUnauthorized},
		{"signature without v0=", func(r *http.Request, _ []byte) *http.Request {
			r.Header.Set("X-Slack-Signature", strings.TrimPrefix(r.Header.Get("X-Slack-Signature"), "v0="))
			return r
		}, http.StatusUnauthorized},
		{"signature not hex", func(r *http.Request, _ []byte) *http.Request {
			r.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("zz", 32))
			return r
		}, http.StatusUnauthorized},
		{"timestamp not a number", func(r *http.Request, _ []byte) *http.Request {
			r.Header.Set("X-Slack-Request-Timestamp", "yesterday")
			return r
		}, http.StatusUnauthorized},
		{"oversize body, signed", func(r *http.Request, body []byte) *http.Request {
			big := append(append([]byte(nil), body...), bytes.Repeat([]byte("x"), DefaultMaxBody)...)
			ts := time.Now().Unix()
			r = resend(r, big)
			r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
			r.Header.Set("X-Slack-Signature", testkit.SlackSignature(testSigningSecret, ts, big))
			return r
		}, http.StatusRequestEntityTooLarge},
	}
	for _, k := range kinds {
		for _, row := range rows {
			t.Run(k.name+"/"+row.name, func(t *testing.T) {
				h := newHarness(t, nil)
				body := k.body(h)
				r := httptest.NewRequest(http.MethodPost, k.path, bytes.NewReader(body))
				r.Header.Set("Content-Type", k.contentType)
				r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now, 10))
				r.Header.Set("X-Slack-Signature", testkit.SlackSignature(testSigningSecret, now, body))
				if row.edit != nil {
					r = row.edit(r, body)
				}
				w := h.do(r)
				h.bot.Wait()
				if w.Code != row.status {
					t.Fatalf("status %d, want %d; body %q", w.Code, row.status, w.Body)
				}
				posts := len(h.api.Posts())
				want := 0
				if row.status == http.StatusOK {
					want = k.effects
				}
				if posts != want {
					t.Errorf("%d messages posted, want %d", posts, want)
				}
				if n := h.hooks.Seen(); n != 0 {
					t.Errorf("%d answers sent to response_url, want 0", n)
				}
				if row.status != http.StatusOK {
					// Nothing remembered: the event id is still new.
					if _, seen, _ := h.store.Remember(context.Background(), eventScope, "Ev0SIGNED", []byte{1}, time.Hour); seen {
						t.Error("a refused event was remembered")
					}
				}
			})
		}
	}
}

// resend returns r with body as its body.
func resend(r *http.Request, body []byte) *http.Request {
	n := httptest.NewRequest(r.Method, r.URL.Path, bytes.NewReader(body))
	n.Header = r.Header.Clone()
	return n
}

func TestWrongMethodIs405(t *testing.T) {
	h := newHarness(t, nil)
	for _, path := range []string{"/slack/commands", "/slack/events", "/slack/interactions"} {
		w := h.do(httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d, want 405", path, w.Code)
		}
	}
}

func TestURLVerificationEchoesTheChallenge(t *testing.T) {
	h := newHarness(t, nil)
	body := []byte(`{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`)
	w := h.do(signedRequest("/slack/events", "application/json", body))
	if w.Code != http.StatusOK || w.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification: %d %q", w.Code, w.Body)
	}
	// Unsigned, the same challenge gets nothing.
	r := httptest.NewRequest(http.MethodPost, "/slack/events", bytes.NewReader(body))
	if w := h.do(r); w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "3eZbrw") {
		t.Errorf("unsigned url_verification: %d %q", w.Code, w.Body)
	}
}

func TestEventsTryggDoesNotHandleAreAcknowledged(t *testing.T) {
	h := newHarness(t, nil)
	rows := []struct {
		name   string
		body   string
		status int
	}{
		{"reaction", `{"type":"event_callback","team_id":"T0TEAM","event_id":"Ev1","event":{"type":"reaction_added","user":"U0STAFF","reaction":"thumbsup","item":{"type":"message","channel":"C0TRYGG","ts":"1.2"},"event_ts":"1.3"}}`, http.StatusOK},
		{"unknown event type", `{"type":"event_callback","team_id":"T0TEAM","event_id":"Ev2","event":{"type":"brand_new_event"}}`, http.StatusOK},
		{"rate limited", `{"token":"x","type":"app_rate_limited","team_id":"T0TEAM","minute_rate_limited":1518467820,"api_app_id":"A0TRYGG"}`, http.StatusOK},
		{"broken JSON", `{"type":"event_callback",`, http.StatusBadRequest},
		{"not JSON", `token=abc&team_id=T0TEAM`, http.StatusBadRequest},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			w := h.event(t, []byte(row.body))
			if w.Code != row.status {
				t.Errorf("status %d, want %d", w.Code, row.status)
			}
		})
	}
	if n := len(h.api.Posts()); n != 0 {
		t.Errorf("%d messages posted, want 0", n)
	}
}

func TestBrokenCommandsAndInteractions(t *testing.T) {
	h := newHarness(t, nil)
	rows := []struct {
		name, path, body string
		status           int
	}{
		{"command form cannot be parsed", "/slack/commands", "text=%zz", http.StatusBadRequest},
		{"interaction without payload", "/slack/interactions", "foo=bar", http.StatusBadRequest},
		{"interaction payload not JSON", "/slack/interactions", "payload=%7Bnot+json", http.StatusBadRequest},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			w := h.do(signedRequest(row.path, "application/x-www-form-urlencoded", []byte(row.body)))
			if w.Code != row.status {
				t.Errorf("status %d, want %d", w.Code, row.status)
			}
		})
	}
}
