package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/store"
	"github.com/vasteras/trygg/internal/testkit"
	"github.com/vasteras/trygg/locales"
)

// Ids of the test workspace.
const (
	testSigningSecret = "e6b1c0ffee8f742231b10e8888abcd99"
	testTeam          = "T0TEAM"
	testChannel       = "C0TRYGG"
	testStaff         = "U0STAFF"
	testBotUser       = "U0TRYGG"
)

// testNow is the harness's clock: Monday 16 November 2026, 10:00 in Västerås.
var testNow = time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)

// signedRequest returns a POST of body to path, signed now with the test secret as Slack
// signs it (the test kit's signer). slack-go's verifier reads the real clock, so the
// signature is fresh.
func signedRequest(path, contentType string, body []byte) *http.Request {
	return testkit.SlackRequest(testSigningSecret, path, contentType, body, time.Now())
}

// commandBody is the form Slack posts for "/trygg <text>", field for field.
func commandBody(text, responseURL string) []byte {
	v := url.Values{
		"token":                 {"gIkuvaNzQIHg97ATvDxqgjtO"},
		"team_id":               {testTeam},
		"team_domain":           {"vasteras"},
		"channel_id":            {testChannel},
		"channel_name":          {"trygg"},
		"user_id":               {testStaff},
		"user_name":             {"anna"},
		"command":               {"/trygg"},
		"text":                  {text},
		"api_app_id":            {"A0TRYGG"},
		"is_enterprise_install": {"false"},
		"response_url":          {responseURL},
		"trigger_id":            {"13345224609.738474920.8088930838d88f008e0"},
	}
	return []byte(v.Encode())
}

// mention is an app_mention event as Slack sends it.
type mention struct {
	EventID, Team, Channel, User, Text, TS, ThreadTS, BotID string
}

// body returns the event_callback JSON Slack posts for the mention.
func (m mention) body() []byte {
	if m.Team == "" {
		m.Team = testTeam
	}
	if m.Channel == "" {
		m.Channel = testChannel
	}
	if m.User == "" && m.BotID == "" {
		m.User = testStaff
	}
	inner := map[string]any{
		"type":     "app_mention",
		"user":     m.User,
		"text":     m.Text,
		"ts":       m.TS,
		"channel":  m.Channel,
		"event_ts": m.TS,
		"blocks":   []any{},
	}
	if m.ThreadTS != "" {
		inner["thread_ts"] = m.ThreadTS
	}
	if m.BotID != "" {
		inner["bot_id"] = m.BotID
	}
	b, err := json.Marshal(map[string]any{
		"token":      "XXYYZZ",
		"team_id":    m.Team,
		"api_app_id": "A0TRYGG",
		"event":      inner,
		"type":       "event_callback",
		"event_id":   m.EventID,
		"event_time": 1763283600,
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": testTeam, "user_id": testBotUser,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-eyJldCI6ImFwcF9tZW50aW9uIiwidGlkIjoiVDBURUFNIn0",
	})
	if err != nil {
		panic(err)
	}
	return b
}

// post is one chat.postMessage call the fake Web API received.
type post struct {
	Channel, ThreadTS, Text string
	Blocks                  []byte // the blocks JSON as sent
	TS                      string // the ts the fake gave the message
}

// upload is one file shared through the fake Web API.
type upload = testkit.SlackUpload

// fakeAPI is the test kit's fake of Slack's Web API, read as this package's tests read it.
type fakeAPI struct{ *testkit.SlackAPI }

func newFakeAPI(t *testing.T) *fakeAPI { return &fakeAPI{testkit.NewSlackAPI(t, "xoxb-test")} }

// Posts returns the chat.postMessage calls so far.
func (f *fakeAPI) Posts() []post {
	var out []post
	for _, c := range f.SlackAPI.Posts() {
		out = append(out, post{Channel: c.Channel(), ThreadTS: c.ThreadTS(), Text: c.Text(), Blocks: []byte(c.Form.Get("blocks")), TS: c.TS})
	}
	return out
}

// Calls returns how often method was called, failed calls too.
func (f *fakeAPI) Calls(method string) int { return f.Count(method) }

// fakeHooks is the response_url of the harness's fake Web API.
type fakeHooks struct {
	api  *testkit.SlackAPI
	mu   sync.Mutex
	read int // the posts next has returned
}

// URL is a response_url in Slack's shape on the fake.
func (h *fakeHooks) URL() string { return h.api.ResponseURL() }

// Seen is how many posts arrived.
func (h *fakeHooks) Seen() int { return len(h.api.Responses()) }

// next waits for the next post, failing the test after a generous deadline.
func (h *fakeHooks) next(t *testing.T) []byte {
	t.Helper()
	h.mu.Lock()
	i := h.read
	h.read++
	h.mu.Unlock()
	h.api.WaitFor(t, "a post to the response_url", func() bool { return len(h.api.Responses()) > i })
	return h.api.Responses()[i]
}

// harness is a Bot wired to fakes, mounted on a ServeMux.
type harness struct {
	bot   *Bot
	mux   *http.ServeMux
	store *store.Memory
	api   *fakeAPI
	hooks *fakeHooks
}

// newEngine returns an engine on the real flows and texts, loaded once: it is immutable.
func newEngine(t testing.TB) *bot.Engine {
	t.Helper()
	engine, err := loadEngine()
	if err != nil {
		t.Fatal(err)
	}
	return engine
}

var loadEngine = sync.OnceValues(func() (*bot.Engine, error) {
	set, err := flows.Load(flows.EmbeddedSource(locales.Embedded()))
	if err != nil {
		return nil, err
	}
	return bot.New(set, bot.Options{}), nil
})

func newHarness(t *testing.T, edit func(*Config)) *harness {
	t.Helper()
	h := &harness{
		mux:   http.NewServeMux(),
		store: store.NewMemory(func() time.Time { return testNow }),
		api:   newFakeAPI(t),
	}
	h.hooks = &fakeHooks{api: h.api.SlackAPI}
	cfg := Config{
		Engine:        newEngine(t),
		Store:         h.store,
		Stats:         h.store,
		API:           slackapi.New("xoxb-test", slackapi.OptionAPIURL(h.api.APIURL())),
		SigningSecret: testSigningSecret,
		Now:           func() time.Time { return testNow },
		InlineWait:    time.Minute, // answers come inline unless a test makes them slow
	}
	if edit != nil {
		edit(&cfg)
	}
	b, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Wait)
	h.bot = b
	b.Mount(h.mux)
	return h
}

// do serves r and returns the recorded response.
func (h *harness) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.mux.ServeHTTP(w, r)
	return w
}

// command runs "/trygg <text>" over HTTP and returns the response.
func (h *harness) command(t *testing.T, text string) *httptest.ResponseRecorder {
	t.Helper()
	w := h.do(signedRequest("/slack/commands", "application/x-www-form-urlencoded", commandBody(text, h.hooks.URL())))
	if w.Code != http.StatusOK {
		t.Fatalf("/trygg %s: status %d, body %q", text, w.Code, w.Body)
	}
	return w
}

// event delivers an Events API body over HTTP and waits for the work it started.
func (h *harness) event(t *testing.T, body []byte, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := signedRequest("/slack/events", "application/json", body)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := h.do(r)
	h.bot.Wait()
	return w
}

// response is a slash-command answer as Slack reads it.
type response struct {
	ResponseType string          `json:"response_type"`
	Text         string          `json:"text"`
	Blocks       slackapi.Blocks `json:"blocks"`
}

// decodeResponse reads a slash-command answer.
func decodeResponse(t *testing.T, body []byte) response {
	t.Helper()
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("answer is not a Slack message: %v\n%s", err, body)
	}
	if len(r.Blocks.BlockSet) == 0 {
		t.Fatalf("answer has no blocks:\n%s", body)
	}
	return r
}

// decodeBlocks reads the blocks of a chat.postMessage call.
func decodeBlocks(t *testing.T, raw []byte) []slackapi.Block {
	t.Helper()
	var b slackapi.Blocks
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("blocks: %v\n%s", err, raw)
	}
	if len(b.BlockSet) == 0 {
		t.Fatalf("no blocks in %s", raw)
	}
	return b.BlockSet
}

// Phone numbers staff must never see: Swedish numbers in international form and mobiles.
var (
	phoneIntl   = regexp.MustCompile(`\+?46\d{6,}`)
	phoneMobile = regexp.MustCompile(`07\d{8}`)
)

// assertClean checks what trygg sent to Slack: no phone number, no text id left unrendered,
// no template gap.
func assertClean(t *testing.T, sent []byte) {
	t.Helper()
	s := string(sent)
	if m := phoneIntl.FindString(s); m != "" {
		t.Errorf("a phone number (%s) was sent to Slack:\n%s", m, s)
	}
	if m := phoneMobile.FindString(s); m != "" {
		t.Errorf("a phone number (%s) was sent to Slack:\n%s", m, s)
	}
	if strings.Contains(s, "staff_") {
		t.Errorf("a text id was sent instead of its text:\n%s", s)
	}
	if strings.Contains(s, "<no value>") {
		t.Errorf("a template value is missing:\n%s", s)
	}
}

// slowStats is a Stats whose Counts waits until released, or its context ends.
type slowStats struct {
	store.Stats
	release chan struct{}
}

func (s slowStats) Counts(ctx context.Context, from, to string) (map[string]int64, error) {
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Stats.Counts(ctx, from, to)
}

// failingStats is a Stats that cannot be read.
type failingStats struct{ store.Stats }

func (failingStats) Counts(context.Context, string, string) (map[string]int64, error) {
	return nil, fmt.Errorf("redis: connection refused")
}
