package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	slackapi "github.com/slack-go/slack"

	"github.com/vasteras/trygg/bot"
	"github.com/vasteras/trygg/flows"
	"github.com/vasteras/trygg/internal/store"
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

// sign returns Slack's v0 signature of body sent at ts: "v0=" + hex(HMAC-SHA256(secret,
// "v0:<ts>:<body>")). It is proven right on Slack's published example in
// TestSignerMatchesSlackExample.
func sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:", ts)
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// signedRequest returns a POST of body to path, signed now with the test secret as Slack
// signs it. slack-go's verifier reads the real clock, so the signature is fresh.
func signedRequest(path, contentType string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	ts := time.Now().Unix()
	r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	r.Header.Set("X-Slack-Signature", sign(testSigningSecret, ts, body))
	return r
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

// upload is one file shared through the fake Web API: files.getUploadURLExternal, a POST
// of the bytes to the URL it gave, files.completeUploadExternal.
type upload struct {
	ID, Filename, AltText    string
	Title, Channel, ThreadTS string
	InitialComment           string
	Data                     []byte
}

// fakeAPI is Slack's Web API as an httptest server: it answers chat.postMessage and the
// three steps of a file upload like Slack, and records what was posted and shared.
type fakeAPI struct {
	srv *httptest.Server
	t   *testing.T
	mu  sync.Mutex
	// fail, when set, is the error every call returns ("not_in_channel").
	fail string
	// failNext holds, per method ("chat.postMessage"), errors the next calls return.
	failNext map[string][]string
	// calls counts the calls per method, failed ones too.
	calls   map[string]int
	posts   []post
	pending map[string]*upload // by file id: URL given, not completed
	uploads []upload
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{t: t, failNext: map[string][]string{}, calls: map[string]int{}, pending: map[string]*upload{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// FailNext makes the next calls of method fail with the errors, one each.
func (f *fakeAPI) FailNext(method string, errs ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext[method] = append(f.failNext[method], errs...)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	if id, ok := strings.CutPrefix(r.URL.Path, "/upload/"); ok {
		f.receiveFile(w, r, id)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/")
	switch method {
	case "chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal":
	default:
		t.Errorf("fake Slack API: unexpected call %s", r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		t.Errorf("fake Slack API: %v", err)
	}
	if r.Header.Get("Authorization") != "Bearer xoxb-test" && r.PostForm.Get("token") != "xoxb-test" {
		t.Error("fake Slack API: called without the bot token")
	}
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[method]++
	if f.fail != "" {
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, f.fail)
		return
	}
	if errs := f.failNext[method]; len(errs) > 0 {
		f.failNext[method] = errs[1:]
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, errs[0])
		return
	}
	switch method {
	case "chat.postMessage":
		p := post{
			Channel:  r.PostForm.Get("channel"),
			ThreadTS: r.PostForm.Get("thread_ts"),
			Text:     r.PostForm.Get("text"),
			Blocks:   []byte(r.PostForm.Get("blocks")),
			TS:       fmt.Sprintf("1763283%03d.000200", len(f.posts)+1),
		}
		f.posts = append(f.posts, p)
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":%q,"message":{"type":"message","text":%q}}`, p.Channel, p.TS, p.Text)
	case "files.getUploadURLExternal":
		size, err := strconv.Atoi(r.PostForm.Get("length"))
		if err != nil || size <= 0 || r.PostForm.Get("filename") == "" {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_arguments"}`)
			return
		}
		id := fmt.Sprintf("F0%07d", len(f.pending)+len(f.uploads)+1)
		f.pending[id] = &upload{ID: id, Filename: r.PostForm.Get("filename"), AltText: r.PostForm.Get("alt_txt"), Data: make([]byte, 0, size)}
		fmt.Fprintf(w, `{"ok":true,"upload_url":%q,"file_id":%q}`, f.srv.URL+"/upload/"+id, id)
	case "files.completeUploadExternal":
		var files []struct{ ID, Title string }
		if err := json.Unmarshal([]byte(r.PostForm.Get("files")), &files); err != nil || len(files) != 1 {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_arguments"}`)
			return
		}
		u := f.pending[files[0].ID]
		if u == nil || len(u.Data) == 0 {
			fmt.Fprint(w, `{"ok":false,"error":"file_not_found"}`)
			return
		}
		delete(f.pending, u.ID)
		u.Title = files[0].Title
		u.Channel = r.PostForm.Get("channel_id")
		u.ThreadTS = r.PostForm.Get("thread_ts")
		u.InitialComment = r.PostForm.Get("initial_comment")
		f.uploads = append(f.uploads, *u)
		fmt.Fprintf(w, `{"ok":true,"files":[{"id":%q,"title":%q}]}`, u.ID, u.Title)
	}
}

// receiveFile takes the bytes of a file at the upload URL: a multipart form with the file
// in the field "file", as slack-go sends it.
func (f *fakeAPI) receiveFile(w http.ResponseWriter, r *http.Request, id string) {
	file, _, err := r.FormFile("file")
	if err != nil {
		f.t.Errorf("fake Slack upload: %v", err)
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	data, err := io.ReadAll(file)
	if err != nil {
		f.t.Errorf("fake Slack upload: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	u := f.pending[id]
	if u == nil {
		http.NotFound(w, r)
		return
	}
	if len(data) != cap(u.Data) {
		f.t.Errorf("fake Slack upload: %d bytes, announced %d", len(data), cap(u.Data))
	}
	u.Data = data
	fmt.Fprintf(w, "OK - %d", len(data))
}

// Posts returns the chat.postMessage calls so far.
func (f *fakeAPI) Posts() []post {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]post(nil), f.posts...)
}

// Uploads returns the files shared so far.
func (f *fakeAPI) Uploads() []upload {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]upload(nil), f.uploads...)
}

// Calls returns how often method was called, failed calls too.
func (f *fakeAPI) Calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// fakeHooks receives what trygg posts to response URLs.
type fakeHooks struct {
	srv  *httptest.Server
	got  chan []byte
	mu   sync.Mutex
	seen int
}

func newFakeHooks(t *testing.T) *fakeHooks {
	h := &fakeHooks{got: make(chan []byte, 16)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("response_url: Content-Type = %q", ct)
		}
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.seen++
		h.mu.Unlock()
		h.got <- body
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// URL is a response_url in Slack's shape on the fake.
func (h *fakeHooks) URL() string {
	return h.srv.URL + "/commands/T0TEAM/1234567890/abcdefghijklmnopqrstuvwx"
}

// Seen is how many posts arrived.
func (h *fakeHooks) Seen() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seen
}

// next waits for the next post, failing the test after a generous deadline.
func (h *fakeHooks) next(t *testing.T) []byte {
	t.Helper()
	select {
	case b := <-h.got:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("nothing was posted to the response_url")
		return nil
	}
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
		hooks: newFakeHooks(t),
	}
	cfg := Config{
		Engine:        newEngine(t),
		Store:         h.store,
		Stats:         h.store,
		API:           slackapi.New("xoxb-test", slackapi.OptionAPIURL(h.api.srv.URL+"/")),
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
